"""A rollout's evidence in Redis, and its join with the reports users and admins file in MongoDB.

Per message hash (never the text), with a TTL: each version's probability and decision, and which version answered
(``weave:rollout:seen:<rollout id>:<hash>``). Per rollout: counts per version (scored, answered, flagged, errors,
scoring time) and how often both versions decided alike (``weave:rollout:stats:<rollout id>``). Reports filed since
the rollout began are hashed as the gateway hashes requests and looked up there, giving each version's precision and
recall on reported messages.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import redis
from redis.typing import EncodableT, FieldT

from weave_ml.model.datasets import PHISHING
from weave_ml.model.text import message_hash
from weave_ml.names import ROLLOUT_SEEN_PREFIX, ROLLOUT_STATS_PREFIX
from weave_ml.registry.rollout_record import Rollout
from weave_ml.reports.labels import label_of
from weave_ml.rollouts.decision import Confusion, VersionStats
from weave_ml.settings import Settings

log = logging.getLogger(__name__)

ANSWERED = "answered"
AGREED = "agreed"
COMPARED = "compared"
# Reports read per check at most, newest first: enough for a verdict, bounded whatever the window holds.
MAX_REPORTS = 100_000
# Only a person's verdict counts as evidence: the risk score given at report time is a model's own opinion.
PERSON_LABEL_SOURCES = ("user_feedback", "admin_status")
LOOKUP_CHUNK = 1000


@dataclass
class Observations:
    """What one scoring call saw: each version's (probability, decision) per message, answers, errors, time."""

    scores: dict[str, dict[str, tuple[float, bool]]] = field(default_factory=dict)  # hash → version → score
    answered_by: dict[str, str] = field(default_factory=dict)  # hash → version that answered
    errors: dict[str, int] = field(default_factory=dict)  # version → messages it failed to score
    seconds: dict[str, float] = field(default_factory=dict)  # version → time spent scoring


def stats_key(rollout: Rollout) -> str:
    return f"{ROLLOUT_STATS_PREFIX}:{rollout.id}"


def seen_key(rollout: Rollout, digest: str) -> str:
    return f"{ROLLOUT_SEEN_PREFIX}:{rollout.id}:{digest}"


def _encode(probability: float, positive: bool) -> str:
    return f"{probability:.6f}|{int(positive)}"


def _decode(raw: bytes) -> tuple[float, bool]:
    probability, _, positive = raw.decode().partition("|")
    return float(probability), positive == "1"


class EvidenceStore:
    """Writes and reads a rollout's evidence; every call is one pipelined round trip (or one per chunk)."""

    def __init__(self, client: redis.Redis, ttl_s: int) -> None:
        self.client = client
        self.ttl_s = ttl_s

    def record(self, rollout: Rollout, seen: Observations) -> None:
        """Add one scoring call's observations."""
        key = stats_key(rollout)
        with self.client.pipeline(transaction=False) as pipe:
            counts: dict[str, int] = {}
            for digest, by_version in seen.scores.items():
                entry: dict[FieldT, EncodableT] = {v: _encode(*score) for v, score in by_version.items()}
                answered = seen.answered_by.get(digest)
                if answered:
                    entry[ANSWERED] = answered
                    counts[f"{answered}|answered"] = counts.get(f"{answered}|answered", 0) + 1
                pipe.hset(seen_key(rollout, digest), mapping=entry)
                pipe.expire(seen_key(rollout, digest), self.ttl_s)
                for version, (_, positive) in by_version.items():
                    counts[f"{version}|scored"] = counts.get(f"{version}|scored", 0) + 1
                    counts[f"{version}|positive"] = counts.get(f"{version}|positive", 0) + int(positive)
                if len(by_version) == 2:
                    first, second = by_version.values()
                    counts[COMPARED] = counts.get(COMPARED, 0) + 1
                    counts[AGREED] = counts.get(AGREED, 0) + int(first[1] == second[1])
            for version, errors in seen.errors.items():
                counts[f"{version}|errors"] = counts.get(f"{version}|errors", 0) + errors
            for name, amount in counts.items():
                pipe.hincrby(key, name, amount)
            for version, seconds in seen.seconds.items():
                pipe.hincrbyfloat(key, f"{version}|seconds", seconds)
            pipe.expire(key, self.ttl_s)
            pipe.execute()

    def forget(self, rollout_id: str) -> int:
        """Delete every key of a rollout's evidence (its per-message scores and its counts); return how many.

        Called once a rollout is promoted or aborted: the evidence served its decision, and left to its TTL it would
        hold about 400 bytes a message for ROLLOUT_EVIDENCE_TTL_S.
        """
        deleted = 0
        batch: list[bytes] = []
        for key in self.client.scan_iter(match=f"{ROLLOUT_SEEN_PREFIX}:{rollout_id}:*", count=1000):
            batch.append(key)
            if len(batch) == 1000:
                deleted += int(self.client.unlink(*batch))
                batch = []
        if batch:
            deleted += int(self.client.unlink(*batch))
        return deleted + int(self.client.unlink(f"{ROLLOUT_STATS_PREFIX}:{rollout_id}"))

    def forget_ended(self, outcome: Mapping[str, Any]) -> None:
        """Forget the evidence of the rollout a registry change promoted or aborted (other outcomes: nothing)."""
        if outcome.get("event") not in ("promoted", "aborted"):
            return
        rollout_id = Rollout.from_dict(outcome["rollout"]).id
        try:
            log.info("rollout %s ended: %d evidence keys deleted", rollout_id, self.forget(rollout_id))
        except redis.RedisError as exc:  # they expire with ROLLOUT_EVIDENCE_TTL_S anyway
            log.warning("evidence of rollout %s not deleted: %s", rollout_id, exc)

    def stats(self, rollout: Rollout) -> tuple[dict[str, VersionStats], int, int]:
        """Return each version's counts, and how many messages both scored and how many of those they agreed on."""
        return parse_stats(self.client.hgetall(stats_key(rollout)))

    def seen(self, rollout: Rollout, digests: Sequence[str]) -> list[dict[str, Any]]:
        """Return, per hash, ``{version: (probability, positive)}`` and ``answered`` (the version), or {} if unseen."""
        found: list[dict[str, Any]] = []
        for start in range(0, len(digests), LOOKUP_CHUNK):
            with self.client.pipeline(transaction=False) as pipe:
                for digest in digests[start : start + LOOKUP_CHUNK]:
                    pipe.hgetall(seen_key(rollout, digest))
                for raw in pipe.execute():
                    entry: dict[str, Any] = {}
                    for name, value in raw.items():
                        key = name.decode()
                        entry[key] = value.decode() if key == ANSWERED else _decode(value)
                    found.append(entry)
        return found


def parse_stats(raw: Mapping[Any, Any]) -> tuple[dict[str, VersionStats], int, int]:
    """Read the stats hash: ``<version>|<count>`` fields, plus ``compared`` and ``agreed``."""
    per_version: dict[str, dict[str, float]] = {}
    compared = agreed = 0
    for field_name, value in raw.items():
        name = field_name.decode() if isinstance(field_name, bytes) else field_name
        if name == COMPARED:
            compared = int(value)
        elif name == AGREED:
            agreed = int(value)
        else:
            version, _, count = name.rpartition("|")
            per_version.setdefault(version, {})[count] = float(value)
    stats = {
        version: VersionStats(
            scored=int(counts.get("scored", 0)),
            answered=int(counts.get("answered", 0)),
            positive=int(counts.get("positive", 0)),
            errors=int(counts.get("errors", 0)),
            seconds=counts.get("seconds", 0.0),
        )
        for version, counts in per_version.items()
    }
    return stats, compared, agreed


def labelled_reports(reports: Iterable[Mapping[str, Any]]) -> Iterator[tuple[str, int]]:
    """Yield (message hash, label) of each report a person labelled, the newest label of a text only."""
    seen: set[str] = set()
    for report in reports:
        text = report.get("message")
        if not isinstance(text, str) or not text.strip():
            continue
        label, source = label_of(report)
        if label is None or source not in PERSON_LABEL_SOURCES:
            continue
        sender = report.get("sender")
        digest = message_hash(text, sender if isinstance(sender, str) else None)
        if digest not in seen:
            seen.add(digest)
            yield digest, label


def confusion_by_version(
    labelled: Sequence[tuple[str, int]], seen: Sequence[Mapping[str, Any]]
) -> dict[str, Confusion]:
    """Tally each version's decisions on reported messages against their labels (messages never scored: skipped)."""
    tallies: dict[str, dict[str, int]] = {}
    for (_, label), entry in zip(labelled, seen, strict=True):
        for version, value in entry.items():
            if version == ANSWERED:
                continue
            positive = value[1]
            tally = tallies.setdefault(version, {"tp": 0, "fp": 0, "fn": 0, "tn": 0, "answered": 0})
            cell = ("tp" if positive else "fn") if label == PHISHING else ("fp" if positive else "tn")
            tally[cell] += 1
            tally["answered"] += int(entry.get(ANSWERED) == version)
    return {version: Confusion(**tally) for version, tally in tallies.items()}


def read_reports(settings: Settings, rollout: Rollout) -> list[dict[str, Any]]:
    """Read the reports filed since the rollout began (newest first, at most MAX_REPORTS); raise ReportsUnavailable."""
    # Here, not at the top: the gateways record evidence and never read MongoDB (nor import its client).
    import pymongo
    from pymongo.errors import PyMongoError

    from weave_ml.reports.mongo import ReportsUnavailable, hosts_of, reports_collection

    if not settings.mongodb_uri:
        raise ReportsUnavailable("MONGODB_URI is not set: no reports to judge the rollout by")
    hosts = hosts_of(settings.mongodb_uri)
    try:
        with reports_collection(settings, "weave-ml-rollout") as collection:
            cursor = collection.find(
                {"timestamp": {"$gte": rollout.started_at}},
                projection={"_id": 0, "message": 1, "sender": 1, "status": 1, "user_feedback": 1},
                sort=[("timestamp", pymongo.DESCENDING)],
                limit=MAX_REPORTS,
            )
            return list(cursor)
    except PyMongoError as exc:
        raise ReportsUnavailable(f"MongoDB at {hosts} could not be read: {exc}") from None


def reported_evidence(
    store: EvidenceStore, rollout: Rollout, reports: Iterable[Mapping[str, Any]]
) -> dict[str, Confusion]:
    """Join reports with the rollout's per-message evidence: each version's confusion on reported messages."""
    labelled = list(labelled_reports(reports))
    return confusion_by_version(labelled, store.seen(rollout, [digest for digest, _ in labelled]))

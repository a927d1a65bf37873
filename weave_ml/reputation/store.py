"""Reputation entries in the state Redis, shared by every gateway and worker: counts, evidence, verdicts; no text.

An entry is a registrable domain (in clear: domains are public) or a number or messenger id (a keyed hash of it,
weave_ml.reputation.subjects). One script (``entries.lua``, whose header names every key and argument) counts the
sightings of a whole gathering of answers or batch chunk, and records evidence: an admin's verdict on the entry, an
admin's verdict on a text holding it, a user's report (by distinct reporters, rate-limited), a phishing campaign its
texts belong to. It judges the entry after every change and logs each change of its verdict with what made it
(:meth:`ReputationStore.verdict_log`). Every key expires ``ttl_s`` after the entry was last seen or reported.

What operators said is kept beside the entries in two small hashes every process keeps in memory
(weave_ml.reputation.memory): the verified senders (numbers, as keyed hashes with their last four digits, and
domains), and admins' verdicts by entry (a sender's own number is judged by them alone).
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import redis
from redis.typing import EncodableT

from weave_ml import counters
from weave_ml.connections import ScriptCall, as_text, by_position, lua_script, run_scripts
from weave_ml.names import REPUTATION_PREFIX, SERVICE_COUNTERS_KEY
from weave_ml.reputation import policy
from weave_ml.reputation.policy import Entry, Looked, Rules
from weave_ml.reputation.subjects import Subject, Subjects, Verified, decode
from weave_ml.settings import Settings

# Every change of an entry's verdict, newest first (JSON): at most VERDICT_LOG_LENGTH, for VERDICT_LOG_TTL_S after the
# last change.
VERDICT_LOG_KEY = f"{REPUTATION_PREFIX}:verdict-log"
VERDICT_LOG_LENGTH = 1000
VERDICT_LOG_TTL_S = 30 * 86400
# Moves whenever a verdict changes or a verified sender is added or removed: processes forget what they remember.
CHANGES_KEY = f"{REPUTATION_PREFIX}:changes"
VERIFIED_KEY = f"{REPUTATION_PREFIX}:verified"  # hash: entry id -> {organisation, shown, added_at} (JSON)
ADMIN_KEY = f"{REPUTATION_PREFIX}:admin"  # hash: entry id -> an admin's verdict on it
JUDGED_PREFIX = f"{REPUTATION_PREFIX}:judged"  # :<verdict>, sorted sets of the entries holding it
# What a report says and who made it (entries.lua's 'report' mode).
BY_ADMIN = "admin"  # an admin's verdict on the entry itself
BY_REPORT = "report"  # an admin's verdict on a text holding it
BY_USER = "user"
BY_CAMPAIGN = "campaign"
_COUNTED_FIELDS = len(Entry.__dataclass_fields__)


@dataclass(frozen=True)
class Sighting:
    """One message's subjects to count, and whether it was scored phishing."""

    subjects: Subjects
    scored: bool = False


class ReputationStore:
    """Counts, judges and reads reputation entries, in one Redis round trip per call."""

    def __init__(self, client: redis.Redis, ttl_s: int, rules: Rules) -> None:
        self.client = client
        self.ttl_s = ttl_s
        self.rules = rules
        self._script = lua_script(client, "weave_ml.reputation", "entries.lua")

    @classmethod
    def from_settings(cls, client: redis.Redis, settings: Settings) -> ReputationStore:
        """The store with the deployment's TTL and rules (REPUTATION_* settings)."""
        rules = Rules(
            settings.reputation_reporters,
            settings.reputation_reports_per_hour,
            settings.reputation_min_senders,
            settings.reputation_suspicious_share,
        )
        return cls(client, settings.reputation_ttl_s, rules)

    def _arguments(self, mode: str) -> list[EncodableT]:
        rules = self.rules
        return [
            REPUTATION_PREFIX,
            self.ttl_s,
            mode,
            rules.users_needed,
            rules.reporter_limit,
            rules.min_senders,
            rules.suspicious_share,
            VERDICT_LOG_LENGTH,
            VERDICT_LOG_TTL_S,
            SERVICE_COUNTERS_KEY,
            counters.REPUTATION_ENTRIES_NEW,
        ]

    def observe_call(self, sightings: Sequence[Sighting]) -> ScriptCall:
        """The script call that counts ``sightings`` (what each text holds, by its sender) and reads their entries
        back, for :func:`run_scripts` beside another store's call (one round trip); :meth:`parse_observed` reads its
        reply. A sender's own number is not counted: counting every number that sends a text would keep an entry per
        sender for weeks, and it is judged by an admin's verdict alone."""
        return self._script, self._sightings("observe", sightings)

    def _sightings(self, mode: str, sightings: Sequence[Sighting]) -> list[EncodableT]:
        args = self._arguments(mode)
        for sighting in sightings:
            sender, held = sighting.subjects.sender, sighting.subjects.in_text()
            args += [sender.id[2:] if sender else "", "1" if sighting.scored else "0", len(held)]
            for subject in held:
                args += [subject.id, "1" if subject.protected else "0"]
        return args

    def parse_observed(
        self, reply: Sequence[Sequence[Sequence[Any]]], sightings: Sequence[Sighting]
    ) -> list[dict[str, Looked]]:
        """Read the reply of :meth:`observe_call`: per sighting, each subject's entry (what answers need of it) and
        whether it was seen before."""
        return [
            {subject.id: _answered(row) for subject, row in zip(sighting.subjects.in_text(), rows, strict=True)}
            for sighting, rows in zip(sightings, reply, strict=True)
        ]

    def observe(self, sightings: Sequence[Sighting]) -> list[dict[str, Looked]]:
        """Count ``sightings`` and return each one's entries (what answers need of them) as they stand after it."""
        if not any(sighting.subjects.in_text() for sighting in sightings):
            return [{} for _ in sightings]
        (reply,) = run_scripts(self.client, [self.observe_call(sightings)])
        return self.parse_observed(reply, sightings)

    def get(self, subjects: Sequence[Subject]) -> dict[str, Entry]:
        """Return the entries of ``subjects`` in full without counting anything (empty for one the store lacks)."""
        if not subjects:
            return {}
        (rows,) = self._script(args=self._sightings("read", [Sighting(Subjects(callbacks=tuple(subjects)))]))
        return {subject.id: _looked(row).entry for subject, row in zip(subjects, rows, strict=True)}

    def report(self, subjects: Sequence[Subject], says: str, who: str, by: str = "") -> dict[str, Entry]:
        """Record evidence on ``subjects`` and return their entries after it.

        ``who``: BY_ADMIN (``says`` phishing or normal: an admin's verdict on the entries themselves, final until
        another admin's), BY_REPORT (an admin's verdict on a reported text holding them; ``by`` names the text, so
        the same report twice counts once), BY_USER (a user's report; ``by`` the hashed reporter), BY_CAMPAIGN
        (``says`` what made campaign ``by`` phishing: admin, users or scores; '' once it is no longer).
        """
        if not subjects:
            return {}
        (rows,) = run_scripts(self.client, [self.report_call(subjects, says, who, by)])
        return {subject.id: _looked(row).entry for subject, row in zip(subjects, rows, strict=True)}

    def report_call(self, subjects: Sequence[Subject], says: str, who: str, by: str = "") -> ScriptCall:
        """The script call of :meth:`report`, for :func:`run_scripts` beside others (one round trip)."""
        if who not in (BY_ADMIN, BY_REPORT, BY_USER, BY_CAMPAIGN):
            raise ValueError(f"who is one of {BY_ADMIN}, {BY_REPORT}, {BY_USER}, {BY_CAMPAIGN}, not {who!r}")
        if who != BY_CAMPAIGN and says not in (policy.PHISHING, policy.NORMAL):
            raise ValueError(f"a verdict is {policy.PHISHING} or {policy.NORMAL}, not {says!r}")
        args = [*self._arguments("report"), says, who, by]
        for subject in subjects:
            args += [subject.id, "1" if subject.protected else "0"]
        return self._script, args

    def changes(self) -> object:
        """A value that moves whenever a verdict changes or a verified sender is added or removed."""
        return self.client.get(CHANGES_KEY)

    def verdict_log(self, limit: int = VERDICT_LOG_LENGTH, entry: str | None = None) -> list[dict[str, Any]]:
        """Return the latest changes of entries' verdicts (of one entry, if given), newest first."""
        found = [json.loads(raw) for raw in self.client.lrange(VERDICT_LOG_KEY, 0, VERDICT_LOG_LENGTH - 1)]
        return [change for change in found if entry is None or change["entry"] == entry][:limit]

    def verified(self) -> Verified:
        """Return the operators' verified senders."""
        return self.operators()[0]

    def operators(self) -> tuple[Verified, dict[str, str]]:
        """Return what operators said, in one round trip: the verified senders, and admins' verdicts by entry id."""
        with self.client.pipeline(transaction=False) as pipe:
            pipe.hgetall(VERIFIED_KEY)
            pipe.hgetall(ADMIN_KEY)
            verified, judged = pipe.execute()
        organisations = {as_text(key): json.loads(value)["organisation"] for key, value in verified.items()}
        return Verified(organisations), {as_text(key): as_text(value) for key, value in judged.items()}

    def verified_listing(self) -> list[dict[str, Any]]:
        """Return every verified sender: its entry id, what it shows (a domain, or a number's last four digits),
        its organisation and when it was added; by organisation."""
        raw = self.client.hgetall(VERIFIED_KEY)
        listed = [{"id": as_text(key), **json.loads(value)} for key, value in raw.items()]
        return sorted(listed, key=lambda item: (item["organisation"], item["id"]))

    def verify(self, subject: Subject, organisation: str, shown: str) -> None:
        """Add a verified sender (a number or a domain) of ``organisation``; ``shown`` is what operators see of it."""
        value = json.dumps({"organisation": organisation, "shown": shown, "added_at": time.time()}, ensure_ascii=False)
        with self.client.pipeline(transaction=True) as pipe:
            pipe.hset(VERIFIED_KEY, subject.id, value)
            pipe.incr(CHANGES_KEY)
            pipe.execute()

    def unverify(self, subject_id: str) -> bool:
        """Remove a verified sender; return whether there was one."""
        with self.client.pipeline(transaction=True) as pipe:
            pipe.hdel(VERIFIED_KEY, subject_id)
            pipe.incr(CHANGES_KEY)
            removed, _ = pipe.execute()
        return bool(removed)

    def remember_batch(self, batch_id: str, subjects: Mapping[int, Subjects], ttl_s: int) -> None:
        """Keep the subjects of each position of a batch job, so its results are judged by reputation when read."""
        pairs = [value for p, found in subjects.items() if found.all() for value in (p, found.encode())]
        if not pairs:
            return
        key = f"{REPUTATION_PREFIX}:batch:{batch_id}"
        with self.client.pipeline(transaction=False) as pipe:
            pipe.hset(key, items=pairs)
            pipe.expire(key, ttl_s)
            pipe.execute()

    def of_batch(self, batch_id: str, positions: Sequence[int] | None = None) -> dict[int, Subjects]:
        """Return the subjects of each position of a batch job (or of those of ``positions``) that holds any."""
        stored = by_position(self.client, f"{REPUTATION_PREFIX}:batch:{batch_id}", positions)
        return {position: decode(as_text(value)) for position, value in stored.items()}

    def judged_counts(self) -> dict[str, int]:
        """Return how many live entries hold each verdict (entries gone with their TTL are left out)."""
        seconds, _ = self.client.time()
        with self.client.pipeline(transaction=False) as pipe:
            for verdict in (policy.REPORTED, policy.SUSPICIOUS, policy.CLEAN):
                pipe.zremrangebyscore(f"{JUDGED_PREFIX}:{verdict}", "-inf", seconds - self.ttl_s)
                pipe.zcard(f"{JUDGED_PREFIX}:{verdict}")
            replies = pipe.execute()
        return dict(zip((policy.REPORTED, policy.SUSPICIOUS, policy.CLEAN), replies[1::2], strict=True))


def _answered(row: Sequence[Any]) -> Looked:
    """Build an entry from the script's short row: what answers need (see entries.lua's header)."""
    verdict, source, messages, admin, campaigns_admin, campaigns_users, campaigns_scores, seen_before = (
        as_text(value) if isinstance(value, bytes) else value for value in row
    )
    entry = Entry(
        verdict,
        source,
        int(messages),
        admin=admin,
        campaigns_admin=int(campaigns_admin),
        campaigns_users=int(campaigns_users),
        campaigns_scores=int(campaigns_scores),
    )
    return Looked(entry, seen_before == "1")


def _looked(row: Sequence[Any]) -> Looked:
    """Build an entry from the script's row (see entries.lua's header)."""
    values = [as_text(value) if isinstance(value, bytes) else value for value in row]
    (verdict, source, messages, senders, phishing_senders, first_seen, last_seen, admin, *counts) = values[
        :_COUNTED_FIELDS
    ]
    entry = Entry(
        verdict,
        source,
        int(messages),
        int(senders),
        int(phishing_senders),
        float(first_seen or 0),
        float(last_seen or 0),
        admin,
        *(int(count) for count in counts),
    )
    return Looked(entry, values[_COUNTED_FIELDS] == "1")

"""Requests that timed out: what answers them later, and whether their task was dropped unscored."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import redis

from weave_ml.connections import as_text
from weave_ml.names import DROPPED_PREFIX, PENDING_PREFIX


@dataclass(frozen=True)
class Pending:
    """A /predict that answered 504: enough to find its score in the cache, never the message text."""

    message_hash: str
    sensitivity: str
    model_version: str
    # The text's campaign signature (weave_ml.campaigns.signature: hashes, no text), so the late answer shows
    # the campaign; empty for a text too short to join one, or when campaigns are off.
    campaign_bands: tuple[str, ...] = ()
    # What the text holds that has a reputation (weave_ml.reputation.subjects, encoded: domains, keyed hashes of
    # numbers), so the late answer shows its links' reputation as it stands then; '' for none, or reputation off.
    subjects: str = ""


class PendingStore:
    """One small key per timed-out request (written by the gateway) and one per dropped request (by a worker)."""

    def __init__(self, client: redis.Redis, ttl_s: int) -> None:
        self.client = client
        self.ttl_s = ttl_s

    def remember(self, request_id: str, pending: Pending) -> None:
        """Keep what answers a timed-out request later, in about 100 bytes (400 with a campaign signature, a few tens
        more per link or number)."""
        bands = ",".join(pending.campaign_bands) or "-"
        value = " ".join(
            (pending.message_hash, pending.sensitivity, pending.model_version, bands, pending.subjects or "-")
        )
        self.client.set(f"{PENDING_PREFIX}:{request_id}", value, ex=self.ttl_s)

    def mark_dropped(self, request_ids: Sequence[str]) -> None:
        """Record that these requests' task expired in the queue: they will never be scored."""
        if not request_ids:
            return
        with self.client.pipeline(transaction=False) as pipe:
            for request_id in request_ids:
                pipe.set(f"{DROPPED_PREFIX}:{request_id}", 1, ex=self.ttl_s)
            pipe.execute()

    def lookup(self, request_id: str) -> tuple[Pending | None, bool]:
        """Return what :meth:`remember` kept (or None) and whether the request was dropped, in one round trip."""
        raw, dropped = self.client.mget([f"{PENDING_PREFIX}:{request_id}", f"{DROPPED_PREFIX}:{request_id}"])
        return None if raw is None else _parsed(as_text(raw)), dropped is not None


def _parsed(value: str) -> Pending:
    # Three or four fields when written by a gateway that predates campaign signatures or reputation (a rolling
    # update).
    message_hash, sensitivity, model_version, *rest = value.split(" ")
    bands = tuple(rest[0].split(",")) if rest and rest[0] != "-" else ()
    subjects = rest[1] if len(rest) > 1 and rest[1] != "-" else ""
    return Pending(message_hash, sensitivity, model_version, bands, subjects)

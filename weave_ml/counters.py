"""Counters the workers keep in Redis, so the gateway's /metrics can report what happened inside the workers."""

from __future__ import annotations

import redis

from weave_ml.names import SERVICE_COUNTERS_KEY

# /predict requests whose scoring task expired unscored: nobody waited for the answer any more.
EXPIRED_REQUESTS = "expired_requests"
# Messages a scoring task could not score before its time limit (a timeout error to their caller).
SCORING_TIMEOUTS = "scoring_timeouts"
# Batch messages marked failed for good (their chunk raised, or was started too often).
BATCH_FAILURES = "batch_failures"
# Scores a worker could not write to the cache (the answer was sent anyway).
CACHE_ERRORS = "cache_errors"
# Groups that reached CAMPAIGN_MIN_SENDERS (counted by the campaign store's script), and messages answered without
# their campaign because Redis failed the campaign step (weave_ml.campaigns).
CAMPAIGNS_NEW = "campaigns_new"
CAMPAIGN_ERRORS = "campaign_errors"
# Domains and numbers seen or reported for the first time within their TTL (counted by the reputation script).
REPUTATION_ENTRIES_NEW = "reputation_entries_new"
NAMES = (
    EXPIRED_REQUESTS,
    SCORING_TIMEOUTS,
    BATCH_FAILURES,
    CACHE_ERRORS,
    CAMPAIGNS_NEW,
    CAMPAIGN_ERRORS,
    REPUTATION_ENTRIES_NEW,
)


def add(client: redis.Redis, name: str, amount: int = 1) -> None:
    """Add ``amount`` to the counter ``name`` (one of :data:`NAMES`)."""
    client.hincrby(SERVICE_COUNTERS_KEY, name, amount)


def read(client: redis.Redis) -> dict[str, int]:
    """Return every counter, zero for those never incremented."""
    stored = client.hgetall(SERVICE_COUNTERS_KEY)
    return {name: int(stored.get(name.encode(), 0)) for name in NAMES}

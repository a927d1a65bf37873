"""Retrain outcomes counted in Redis, so the gateway's /metrics can report runs that happened in the trainer."""

from __future__ import annotations

import time

import redis

from weave_ml.names import RETRAIN_LAST_RUN_KEY, RETRAIN_OUTCOMES_KEY


def record_outcome(client: redis.Redis, outcome: str) -> None:
    """Count one retrain run that ended with ``outcome`` (a retrain decision, or ``failed``)."""
    with client.pipeline() as pipe:
        pipe.hincrby(RETRAIN_OUTCOMES_KEY, outcome, 1)
        pipe.hset(RETRAIN_LAST_RUN_KEY, outcome, f"{time.time():.3f}")
        pipe.execute()


def outcomes(client: redis.Redis) -> dict[str, tuple[int, float]]:
    """Return each outcome's run count and the unix time of its latest run."""
    with client.pipeline() as pipe:
        pipe.hgetall(RETRAIN_OUTCOMES_KEY)
        pipe.hgetall(RETRAIN_LAST_RUN_KEY)
        counts, last = pipe.execute()
    return {key.decode(): (int(value), float(last.get(key, 0))) for key, value in sorted(counts.items())}

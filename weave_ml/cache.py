"""Score cache in Redis, keyed by model version and message hash; never holds a message's text."""

from __future__ import annotations

import json
from collections.abc import Sequence

import redis

from weave_ml.names import SCORE_PREFIX
from weave_ml.scoring import Score


def cache_key(model_version: str, message_hash: str) -> str:
    """Return the Redis key of one score: a new model version never reads an older version's scores."""
    return f"{SCORE_PREFIX}:{model_version}:{message_hash}"


class ScoreCache:
    """Look up and store scores; every call is one round trip to Redis.

    A value is :meth:`Score.to_dict` as JSON: ``reasons`` name model features, never the message itself.
    """

    def __init__(self, client: redis.Redis, ttl_s: int) -> None:
        self.client = client
        self.ttl_s = ttl_s

    def lookup_many(self, model_version: str, message_hashes: Sequence[str]) -> list[Score | None]:
        """Return the cached score of each hash, or None where there is none, in one MGET."""
        if not message_hashes:
            return []
        values = self.client.mget([cache_key(model_version, h) for h in message_hashes])
        return [None if raw is None else Score.from_dict(json.loads(raw)) for raw in values]

    def store_many(self, scores: Sequence[Score]) -> None:
        """Store scores with the cache's TTL in one pipelined round trip."""
        if not scores:
            return
        with self.client.pipeline(transaction=False) as pipe:
            for score in scores:
                value = json.dumps(score.to_dict(), ensure_ascii=False, separators=(",", ":"))
                pipe.set(cache_key(score.model_version, score.message_hash), value, ex=self.ttl_s)
            pipe.execute()

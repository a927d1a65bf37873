"""Score cache in Redis, keyed by model version and message hash; never holds a message's text."""

from __future__ import annotations

import json
from collections.abc import Sequence

import redis

from weave_ml.scoring import Score

KEY_PREFIX = "weave:score"


def cache_key(model_version: str, message_hash: str) -> str:
    """Return the Redis key of one score: a new model version never reads an older version's scores."""
    return f"{KEY_PREFIX}:{model_version}:{message_hash}"


def encode(score: Score) -> str:
    """Serialise a score for the cache. ``reasons`` name model features, never the message itself."""
    return json.dumps(
        {"probability": score.probability, "reasons": list(score.reasons)}, ensure_ascii=False, separators=(",", ":")
    )


def decode(raw: bytes | str, model_version: str, message_hash: str) -> Score:
    """Rebuild a score read from the cache."""
    value = json.loads(raw)
    return Score(message_hash, float(value["probability"]), tuple(value["reasons"]), model_version)


class ScoreCache:
    """Look up and store scores; every call is one round trip to Redis."""

    def __init__(self, client: redis.Redis, ttl_s: int) -> None:
        self.client = client
        self.ttl_s = ttl_s

    def lookup_many(self, model_version: str, message_hashes: Sequence[str]) -> list[Score | None]:
        """Return the cached score of each hash, or None where there is none, in one MGET."""
        if not message_hashes:
            return []
        values = self.client.mget([cache_key(model_version, h) for h in message_hashes])
        return [
            None if raw is None else decode(raw, model_version, h)
            for raw, h in zip(values, message_hashes, strict=True)
        ]

    def store_many(self, scores: Sequence[Score]) -> None:
        """Store scores with the cache's TTL in one pipelined round trip."""
        if not scores:
            return
        with self.client.pipeline(transaction=False) as pipe:
            for score in scores:
                pipe.set(cache_key(score.model_version, score.message_hash), encode(score), ex=self.ttl_s)
            pipe.execute()

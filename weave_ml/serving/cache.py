"""Score cache in Redis, keyed by model version and message hash; never holds a message's text."""

from __future__ import annotations

import json
from collections.abc import Sequence

import redis

from weave_ml.model.predictions import Score
from weave_ml.names import SCORE_PREFIX


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

    def lookup(self, model_versions: Sequence[str], message_hashes: Sequence[str]) -> list[Score | None]:
        """Return each hash's score cached under the first of ``model_versions`` that has one, else None; one MGET.

        Several versions are looked up when the workers serve more than one (one could not load the newest yet).
        """
        if not message_hashes or not model_versions:
            return [None] * len(message_hashes)
        values = self.client.mget([cache_key(v, h) for h in message_hashes for v in model_versions])
        found = []
        for start in range(0, len(values), len(model_versions)):
            raw = next((value for value in values[start : start + len(model_versions)] if value is not None), None)
            found.append(None if raw is None else Score.from_dict(json.loads(raw)))
        return found

    def lookup_each(self, versions_of: Sequence[Sequence[str]], message_hashes: Sequence[str]) -> list[Score | None]:
        """Like :meth:`lookup`, each hash with versions of its own (``versions_of[i]``); one MGET.

        A rollout in canary mode answers some messages with its candidate and the others with the current model.
        """
        keys = [cache_key(v, h) for versions, h in zip(versions_of, message_hashes, strict=True) for v in versions]
        values = iter(self.client.mget(keys) if keys else [])
        found = []
        for versions in versions_of:
            raw = next((value for value in [next(values) for _ in versions] if value is not None), None)
            found.append(None if raw is None else Score.from_dict(json.loads(raw)))
        return found

    def store_many(self, scores: Sequence[Score]) -> None:
        """Store scores with the cache's TTL in one pipelined round trip."""
        if not scores:
            return
        with self.client.pipeline(transaction=False) as pipe:
            for score in scores:
                value = json.dumps(score.to_dict(), ensure_ascii=False, separators=(",", ":"))
                pipe.set(cache_key(score.model_version, score.message_hash), value, ex=self.ttl_s)
            pipe.execute()

"""Batch jobs in Redis: what was asked, each message's score as it lands, and the job's progress."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import redis

from weave_ml.names import BATCH_PREFIX
from weave_ml.scoring import OperatingPoints, Score, decide

STATUSES = ("queued", "running", "done", "failed")


def _keys(batch_id: str) -> tuple[str, str]:
    return f"{BATCH_PREFIX}:{batch_id}", f"{BATCH_PREFIX}:{batch_id}:scores"


class BatchStore:
    """One hash of job facts and one hash of scores by input position per batch, both expiring together.

    Scores are stored by position, so a chunk scored twice (its worker died after scoring, the task was
    delivered again) still leaves exactly one result per message.
    """

    def __init__(self, client: redis.Redis, ttl_s: int) -> None:
        self.client = client
        self.ttl_s = ttl_s

    def create(self, batch_id: str, items: Sequence[Mapping[str, Any]], cached: Mapping[int, Score]) -> None:
        """Record a new batch: each item's ``id``, ``sensitivity`` and ``message_hash``, and the cache hits."""
        facts_key, scores_key = _keys(batch_id)
        with self.client.pipeline(transaction=True) as pipe:
            pipe.hset(
                facts_key,
                mapping={
                    "total": len(items),
                    "created_at": time.time(),
                    "items": json.dumps(list(items), ensure_ascii=False),
                    "started": 0,
                },
            )
            pipe.expire(facts_key, self.ttl_s)
            if cached:
                pipe.hset(scores_key, mapping={str(i): _encode(s, cached=True) for i, s in cached.items()})
                pipe.expire(scores_key, self.ttl_s)
            pipe.execute()

    def record_scores(self, batch_id: str, scores: Mapping[int, Score]) -> None:
        """Store the scores of some positions of a batch."""
        facts_key, scores_key = _keys(batch_id)
        with self.client.pipeline(transaction=True) as pipe:
            pipe.hset(facts_key, "started", 1)
            pipe.hset(scores_key, mapping={str(i): _encode(s) for i, s in scores.items()})
            pipe.expire(scores_key, self.ttl_s)
            pipe.execute()

    def record_failure(self, batch_id: str, positions: Sequence[int], reason: str) -> None:
        """Mark positions whose scoring failed for good, so the batch ends instead of waiting forever."""
        facts_key, scores_key = _keys(batch_id)
        failure = json.dumps({"error": reason})
        with self.client.pipeline(transaction=True) as pipe:
            pipe.hset(facts_key, "started", 1)
            for position in positions:
                pipe.hsetnx(scores_key, str(position), failure)
            pipe.expire(scores_key, self.ttl_s)
            pipe.execute()

    def status(self, batch_id: str, points_of: Callable[[str], OperatingPoints]) -> dict[str, Any] | None:
        """Return the job's status and the predictions so far in input order, or None if unknown or expired.

        ``points_of`` gives the operating points of a model version: each score is decided by its own version's.
        """
        facts_key, scores_key = _keys(batch_id)
        with self.client.pipeline(transaction=False) as pipe:
            pipe.hgetall(facts_key)
            pipe.hgetall(scores_key)
            facts, stored = pipe.execute()
        if not facts:
            return None
        items = json.loads(facts[b"items"])
        results, failed = [], 0
        for position, item in enumerate(items):
            raw = stored.get(str(position).encode())
            if raw is None:
                continue
            value = json.loads(raw)
            if "error" in value:
                failed += 1
                result = {"error": {"code": "scoring_failed", "message": value["error"]}}
            else:
                score = Score.from_dict(value)
                cached = value.get("cached", False)
                result = decide(score, item["sensitivity"], points_of(score.model_version), cached=cached)
            result["index"] = position
            if item.get("id") is not None:
                result["id"] = item["id"]
            results.append(result)
        total, done = len(items), len(results)
        if done == total:
            state = "failed" if failed else "done"
        else:
            state = "running" if int(facts[b"started"]) or done else "queued"
        return {
            "batch_id": batch_id,
            "status": state,
            "total": total,
            "done": done,
            "failed": failed,
            "results": results,
        }


def _encode(score: Score, cached: bool = False) -> str:
    value = score.to_dict() | ({"cached": True} if cached else {})
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))

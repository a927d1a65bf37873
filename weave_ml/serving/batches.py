"""Batch jobs in Redis: what was asked, each message's score as it lands, and the job's progress."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import redis
from redis.typing import EncodableT

from weave_ml.connections import as_text
from weave_ml.model.scoring import SENSITIVITY_LEVELS, OperatingPoints, Score, to_prediction
from weave_ml.names import BATCH_PREFIX, BATCH_QUEUE, CLIENT_BATCHES_PREFIX
from weave_ml.serving.queue_depth import backlog

STATUSES = ("queued", "running", "done", "failed")
# What a batch result says about a message that was not scored, by error code.
FAILURE_MESSAGES = {
    "timeout": "not scored within the scoring time limit (SCORING_TIME_LIMIT_S)",
    "scoring_failed": "scoring failed for good; submit the message again",
    "lost": "lost by the broker in a Redis failure; submit the message again",
}
# A sensitivity per message takes one character in the job's record.
_SENSITIVITY_CODES = {level: level[0] for level in SENSITIVITY_LEVELS}
_SENSITIVITY_OF = {code: level for level, code in _SENSITIVITY_CODES.items()}


def _keys(batch_id: str) -> tuple[str, str]:
    return f"{BATCH_PREFIX}:{batch_id}", f"{BATCH_PREFIX}:{batch_id}:scores"


def _client_key(client: str) -> str:
    return f"{CLIENT_BATCHES_PREFIX}:{client}"


class BatchStore:
    """One hash of job facts and one hash of results by input position per batch, both expiring together.

    Results are stored by position, so a chunk scored twice (its worker died after scoring, the task was
    delivered again) still leaves exactly one result per message. The facts hold what the caller sent besides
    the texts: the ids (only when some were given) and one character of sensitivity per message.
    """

    def __init__(self, client: redis.Redis, ttl_s: int, lost_after_s: float | None = None) -> None:
        """``client``: the broker's Redis (the lost-chunk check looks at its batch queue); ``lost_after_s``: see
        ``status``, None to never declare messages lost."""
        self.client = client
        self.ttl_s = ttl_s
        self.lost_after_s = lost_after_s

    def create(
        self,
        batch_id: str,
        ids: Sequence[str | None],
        sensitivities: Sequence[str],
        cached: Mapping[int, Score],
        owner: str,
    ) -> None:
        """Record a new batch of ``owner``'s: each message's id and sensitivity, and the scores the cache had."""
        facts_key, scores_key = _keys(batch_id)
        facts: dict[EncodableT, EncodableT] = {
            "total": len(sensitivities),
            "created_at": time.time(),
            "sensitivities": "".join(_SENSITIVITY_CODES[s] for s in sensitivities),
            "started": 0,
            "progress_at": time.time(),
        }
        if any(item_id is not None for item_id in ids):
            facts["ids"] = json.dumps(list(ids), ensure_ascii=False, separators=(",", ":"))
        with self.client.pipeline(transaction=True) as pipe:
            pipe.hset(facts_key, mapping=facts)
            pipe.expire(facts_key, self.ttl_s)
            if cached:
                pipe.hset(scores_key, mapping={str(i): _encode(s, cached=True) for i, s in cached.items()})
                pipe.expire(scores_key, self.ttl_s)
            pipe.zadd(_client_key(owner), {batch_id: time.time()})
            pipe.expire(_client_key(owner), self.ttl_s)
            pipe.execute()

    def record_scores(self, batch_id: str, scores: Mapping[int, Score]) -> None:
        """Store the scores of some positions of a batch."""
        if not scores:
            return
        facts_key, scores_key = _keys(batch_id)
        with self.client.pipeline(transaction=True) as pipe:
            pipe.hset(facts_key, mapping={"started": 1, "progress_at": time.time()})
            pipe.hset(scores_key, mapping={str(i): _encode(s) for i, s in scores.items()})
            pipe.expire(scores_key, self.ttl_s)
            pipe.execute()

    def record_failure(self, batch_id: str, positions: Sequence[int], code: str) -> None:
        """Mark positions whose scoring failed for good (``code``: a key of FAILURE_MESSAGES), so the job ends.

        A position already scored keeps its score: a failure never overwrites a result.
        """
        if not positions:
            return
        facts_key, scores_key = _keys(batch_id)
        failure = json.dumps({"error": code})
        with self.client.pipeline(transaction=True) as pipe:
            pipe.hset(facts_key, mapping={"started": 1, "progress_at": time.time()})
            for position in positions:
                pipe.hsetnx(scores_key, str(position), failure)
            pipe.expire(scores_key, self.ttl_s)
            pipe.execute()

    def unfinished_messages(self, owner: str) -> int:
        """Return how many messages of ``owner``'s batches are not answered yet; forget the batches that ended."""
        key = _client_key(owner)
        batch_ids = [as_text(member) for member in self.client.zrange(key, 0, -1)]
        if not batch_ids:
            return 0
        with self.client.pipeline(transaction=False) as pipe:
            for batch_id in batch_ids:
                facts_key, scores_key = _keys(batch_id)
                pipe.hget(facts_key, "total")
                pipe.hlen(scores_key)
            counts = pipe.execute()
        waiting, ended = 0, []
        for batch_id, total, answered in zip(batch_ids, counts[::2], counts[1::2], strict=True):
            left = int(total) - answered if total is not None else 0
            if left > 0:
                waiting += left
            else:
                ended.append(batch_id)
        if ended:
            self.client.zrem(key, *ended)
        return waiting

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
        sensitivities = facts[b"sensitivities"].decode()
        ids = json.loads(facts[b"ids"]) if b"ids" in facts else [None] * len(sensitivities)
        results, failed = [], 0
        for position, (code, item_id) in enumerate(zip(sensitivities, ids, strict=True)):
            raw = stored.get(str(position).encode())
            if raw is None:
                continue
            value = json.loads(raw)
            if "error" in value:
                failed += 1
                error = value["error"]
                result: dict[str, Any] = {"error": {"code": error, "message": FAILURE_MESSAGES.get(error, error)}}
            else:
                score = Score.from_dict(value)
                cached = value.get("cached", False)
                result = to_prediction(score, _SENSITIVITY_OF[code], points_of(score.model_version), cached=cached)
            result["index"] = position
            if item_id is not None:
                result["id"] = item_id
            results.append(result)
        total, done = len(sensitivities), len(results)
        if done == total:
            state = "failed" if failed == total else "done"
        else:
            if self._chunks_lost(facts):
                unanswered = [position for position in range(total) if str(position).encode() not in stored]
                self.record_failure(batch_id, unanswered, "lost")
                return self.status(batch_id, points_of)
            state = "running" if int(facts[b"started"]) or done else "queued"
        return {
            "batch_id": batch_id,
            "status": state,
            "total": total,
            "done": done,
            "failed": failed,
            "results": results,
        }

    def _chunks_lost(self, facts: Mapping[bytes, bytes]) -> bool:
        """Whether an unfinished batch's missing chunks can no longer arrive: nothing landed for ``lost_after_s``,
        and the broker holds no batch chunk, neither queued nor taken by a worker and not yet acknowledged.

        Celery's Redis transport can lose a message outright when a connection fails between Redis handing it out
        (BRPOP) and the worker recording it as taken; such a batch would otherwise say ``running`` until it
        expires. A chunk that is merely waiting, behind other batches or for a worker, is in the queue, and one
        a dead worker held is in the unacknowledged hash until it is redelivered: neither is declared lost.
        """
        if self.lost_after_s is None:
            return False
        progress_at = float(facts.get(b"progress_at", facts[b"created_at"]))
        if time.time() - progress_at < self.lost_after_s:
            return False
        return backlog(self.client, [BATCH_QUEUE]).total == 0


def _encode(score: Score, cached: bool = False) -> str:
    value = score.to_dict() | ({"cached": True} if cached else {})
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))

"""What a scoring worker does with a job: score unique texts once, cache every score, deliver the results."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from typing import Any

import redis

from weave_ml import counters
from weave_ml.campaigns.counting import CampaignCounter
from weave_ml.model.scoring import Score
from weave_ml.model.text import message_hash
from weave_ml.names import ATTEMPTS_PREFIX
from weave_ml.serving import replies
from weave_ml.serving.batches import BatchStore
from weave_ml.serving.cache import ScoreCache
from weave_ml.serving.model_holder import ModelHolder

log = logging.getLogger(__name__)

# Unique messages scored between two looks at the clock: a slice of ordinary texts takes milliseconds, so a
# task stops soon after its deadline even when every message in it is as long as the API allows.
SLICE = 32
# Error codes of messages that were not scored; the caller sees them (a 422 for /predict, a batch position).
TIMEOUT = "timeout"
SCORING_FAILED = "scoring_failed"


class ScoringService:
    """Scores jobs with the process's current model and writes the results where they are awaited."""

    def __init__(
        self,
        holder: ModelHolder,
        cache: ScoreCache,
        results: redis.Redis,
        batches: BatchStore,
        campaigns: CampaignCounter | None = None,
    ) -> None:
        self.holder = holder
        self.cache = cache
        self.results = results
        self.batches = batches
        self.campaigns = campaigns

    def score_unique(
        self, messages: Sequence[str], senders: Sequence[str | None], deadline: float = float("inf")
    ) -> list[Score | None]:
        """Score messages, each distinct (text, sender kind) once, and cache the scores; one per input.

        Scoring stops at ``deadline`` (``time.monotonic()``): a message not scored by then is None.
        """
        hashes = [message_hash(text, sender) for text, sender in zip(messages, senders, strict=True)]
        first_of: dict[str, int] = {}
        for position, digest in enumerate(hashes):
            first_of.setdefault(digest, position)
        unique = list(first_of.values())
        scorer = self.holder.scorer()
        scored: list[Score] = []
        for start in range(0, len(unique), SLICE):
            if time.monotonic() > deadline:
                break
            part = unique[start : start + SLICE]
            scored += scorer.score_many([messages[i] for i in part], [senders[i] for i in part])
        self._cache(scored)
        by_hash = {score.message_hash: score for score in scored}
        return [by_hash.get(digest) for digest in hashes]

    def count_start(self, task_id: str) -> int:
        """Count one more start of a task and return how many there were (a redelivered task starts again)."""
        key = f"{ATTEMPTS_PREFIX}:{task_id}"
        with self.results.pipeline(transaction=False) as pipe:
            pipe.incr(key)
            pipe.expire(key, self.batches.ttl_s)
            starts, _ = pipe.execute()
        return int(starts)

    def _cache(self, scores: Sequence[Score]) -> None:
        # The cache only saves work: losing it must cost speed, never the answer waiting on this task.
        try:
            self.cache.store_many(scores)
        except (redis.RedisError, OSError) as exc:
            log.warning("%d scores not cached: %s", len(scores), exc)
            counters.add(self.results, counters.CACHE_ERRORS)

    def answer_requests(self, items: Sequence[dict[str, Any]], reply_to: str | None, deadline: float) -> int:
        """Score a gateway micro-batch (items: ``ids``, ``message``, ``sender``) and push one reply."""
        scores = self.score_unique(
            [item["message"] for item in items], [item.get("sender") for item in items], deadline
        )
        missed = sum(score is None for score in scores)
        if missed:
            counters.add(self.results, counters.SCORING_TIMEOUTS, missed)
        if reply_to:
            answers: list[tuple[str, Score | str]] = [
                (request_id, TIMEOUT if score is None else score)
                for item, score in zip(items, scores, strict=True)
                for request_id in item["ids"]
            ]
            replies.send(self.results, reply_to, answers)
        return sum(score is not None for score in scores)

    def score_batch_chunk(self, batch_id: str, items: Sequence[dict[str, Any]], deadline: float) -> int:
        """Score part of a batch job (items: ``position``, ``message``, ``sender``) into its results."""
        scores = self.score_unique(
            [item["message"] for item in items], [item.get("sender") for item in items], deadline
        )
        done = {item["position"]: s for item, s in zip(items, scores, strict=True) if s is not None}
        self.batches.record_scores(batch_id, done)
        if self.campaigns is not None:
            scored = {
                i["position"]: (i["message"], i.get("sender"), done[i["position"]])
                for i in items
                if i["position"] in done
            }
            self.campaigns.count_batch(batch_id, scored, self.batches.ttl_s)
        late = [item["position"] for item in items if item["position"] not in done]
        if late:
            counters.add(self.results, counters.SCORING_TIMEOUTS, len(late))
            self.fail_batch_chunk(batch_id, late, TIMEOUT)
        return len(done)

    def fail_batch_chunk(self, batch_id: str, positions: Sequence[int], code: str) -> None:
        """Mark positions of a batch that will not be scored, so the job ends instead of waiting for them."""
        log.warning("batch %s: %d messages not scored (%s)", batch_id, len(positions), code)
        self.batches.record_failure(batch_id, positions, code)
        counters.add(self.results, counters.BATCH_FAILURES, len(positions))

"""What a scoring worker does with a job: score unique texts once, cache every score, deliver the results."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from typing import Any

import redis

from weave_ml import counters
from weave_ml.campaigns.counting import CampaignCounter
from weave_ml.model.predictions import Score
from weave_ml.model.text import message_hash
from weave_ml.serving import replies
from weave_ml.serving.batches import BatchJobs
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
        batches: BatchJobs,
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
            scored += scorer.score_many(
                [messages[i] for i in part], [senders[i] for i in part], [hashes[i] for i in part]
            )
        self._cache(scored)
        by_hash = {score.message_hash: score for score in scored}
        return [by_hash.get(digest) for digest in hashes]

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

    def score_batch_chunk(self, batch_id: str, chunk: int, deadline: float) -> int:
        """Claim one chunk of a batch job, score it and record its results; return how many were scored.

        A chunk another worker holds or has recorded is left alone. One claimed too often without finishing fails
        its messages. Messages not scored by ``deadline`` fail as ``timeout``; a chunk whose scoring raises fails
        its messages at once (``scoring_failed``) and the error goes on to Celery's log. A Redis error leaves the
        chunk claimed: once its lease runs out the sweep publishes it again.
        """
        claim = self.batches.claim(batch_id, chunk)
        if claim.state == "exhausted":
            self._fail(batch_id, chunk, [item["position"] for item in claim.items], SCORING_FAILED)
            return 0
        if claim.state != "claimed":
            return 0
        items = claim.items
        try:
            scores = self.score_unique(
                [item["message"] for item in items], [item.get("sender") for item in items], deadline
            )
        except Exception:
            self._fail(batch_id, chunk, [item["position"] for item in items], SCORING_FAILED)
            raise
        done = {item["position"]: s for item, s in zip(items, scores, strict=True) if s is not None}
        late = [item["position"] for item in items if item["position"] not in done]
        if not self.batches.finish(batch_id, chunk, done, dict.fromkeys(late, TIMEOUT)):
            return 0  # another worker recorded this chunk first: its campaigns are counted already
        if late:
            log.warning("batch %s: %d messages not scored (%s)", batch_id, len(late), TIMEOUT)
            counters.add(self.results, counters.SCORING_TIMEOUTS, len(late))
            counters.add(self.results, counters.BATCH_FAILURES, len(late))
        if self.campaigns is not None:
            scored = {
                i["position"]: (i["message"], i.get("sender"), done[i["position"]])
                for i in items
                if i["position"] in done
            }
            self.campaigns.count_batch(batch_id, scored, self.batches.ttl_s)
        return len(done)

    def _fail(self, batch_id: str, chunk: int, positions: Sequence[int], code: str) -> None:
        """Record a chunk's messages as not scored (``code``), so the job ends instead of waiting for them."""
        if self.batches.finish(batch_id, chunk, {}, dict.fromkeys(positions, code)):
            log.warning("batch %s: %d messages not scored (%s)", batch_id, len(positions), code)
            counters.add(self.results, counters.BATCH_FAILURES, len(positions))

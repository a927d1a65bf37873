"""What a scoring worker does with a job: score unique texts once, cache every score, deliver the results."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import redis

from weave_ml import replies
from weave_ml.batches import BatchStore
from weave_ml.cache import ScoreCache
from weave_ml.scoring import Score
from weave_ml.serving import ModelHolder
from weave_ml.text import message_hash


class ScoringService:
    """Scores jobs with the process's current model and writes the results where they are awaited."""

    def __init__(self, holder: ModelHolder, cache: ScoreCache, results: redis.Redis, batches: BatchStore) -> None:
        self.holder = holder
        self.cache = cache
        self.results = results
        self.batches = batches

    def score_unique(self, messages: Sequence[str], senders: Sequence[str | None]) -> list[Score]:
        """Score messages, each distinct (text, sender kind) once, cache the scores, return one per input."""
        hashes = [message_hash(text, sender) for text, sender in zip(messages, senders, strict=True)]
        first_of: dict[str, int] = {}
        for position, digest in enumerate(hashes):
            first_of.setdefault(digest, position)
        unique = list(first_of.values())
        scored = self.holder.scorer().score_many([messages[i] for i in unique], [senders[i] for i in unique])
        self.cache.store_many(scored)
        by_hash = {score.message_hash: score for score in scored}
        return [by_hash[digest] for digest in hashes]

    def answer_requests(self, items: Sequence[dict[str, Any]], reply_to: str | None) -> int:
        """Score a gateway micro-batch (items: ``ids``, ``message``, ``sender``) and push one reply."""
        scores = self.score_unique([item["message"] for item in items], [item.get("sender") for item in items])
        if reply_to:
            request_ids, payload = [], []
            for item, score in zip(items, scores, strict=True):
                for request_id in item["ids"]:
                    request_ids.append(request_id)
                    payload.append(score)
            replies.send(self.results, reply_to, request_ids, payload)
        return len(scores)

    def score_batch_chunk(self, batch_id: str, items: Sequence[dict[str, Any]]) -> int:
        """Score part of a batch job (items: ``position``, ``message``, ``sender``) into its results."""
        scores = self.score_unique([item["message"] for item in items], [item.get("sender") for item in items])
        self.batches.record_scores(batch_id, {item["position"]: s for item, s in zip(items, scores, strict=True)})
        return len(scores)

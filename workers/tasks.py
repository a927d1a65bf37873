"""Celery tasks: unpack the arguments, call ``weave_ml``, return."""

from __future__ import annotations

from typing import Any

import redis
from celery import shared_task

from workers import runtime


@shared_task(name="weave.score_messages", ignore_result=True)
def score_messages(items: list[dict[str, Any]], reply_to: str | None = None) -> int:
    """Score one gateway micro-batch and reply to the waiting gateway process."""
    return runtime.service().answer_requests(items, reply_to)


@shared_task(
    name="weave.score_batch_chunk",
    ignore_result=True,
    autoretry_for=(redis.ConnectionError, redis.TimeoutError),
    retry_backoff=True,
    max_retries=5,
)
def score_batch_chunk(batch_id: str, items: list[dict[str, Any]]) -> int:
    """Score one chunk of a batch job into the job's results."""
    return runtime.service().score_batch_chunk(batch_id, items)

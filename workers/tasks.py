"""Celery tasks: unpack the arguments, call ``weave_ml``, return."""

from __future__ import annotations

import logging
from typing import Any

import redis
from celery import shared_task
from kombu.exceptions import OperationalError

from weave_ml import retrain
from weave_ml.names import RELOAD_COMMAND, RETRAIN_TASK, SCORE_BATCH_CHUNK_TASK, SCORE_MESSAGES_TASK
from weave_ml.settings import get_settings
from workers import runtime

log = logging.getLogger(__name__)


@shared_task(name=SCORE_MESSAGES_TASK, ignore_result=True)
def score_messages(items: list[dict[str, Any]], reply_to: str | None = None) -> int:
    """Score one gateway micro-batch and reply to the waiting gateway process."""
    return runtime.service().answer_requests(items, reply_to)


@shared_task(
    name=SCORE_BATCH_CHUNK_TASK,
    ignore_result=True,
    autoretry_for=(redis.ConnectionError, redis.TimeoutError),
    retry_backoff=True,
    max_retries=5,
)
def score_batch_chunk(batch_id: str, items: list[dict[str, Any]]) -> int:
    """Score one chunk of a batch job into the job's results."""
    return runtime.service().score_batch_chunk(batch_id, items)


def _broadcast_reload(version: str) -> None:
    try:
        retrain_model.app.control.broadcast(RELOAD_COMMAND)
    except OperationalError as exc:  # workers still notice the new pointer within seconds
        log.warning("reload of %s not broadcast: %s", version, exc)


@shared_task(
    name=RETRAIN_TASK,
    track_started=True,
    soft_time_limit=retrain.TIME_LIMIT_S,
    time_limit=retrain.TIME_LIMIT_S + 60,
)
def retrain_model(trigger: str = "schedule") -> dict[str, Any]:
    """Run one retrain and return its summary; when a new version is published, tell the workers to load it."""
    return retrain.summary(retrain.run(get_settings(), trigger=trigger, on_published=_broadcast_reload))

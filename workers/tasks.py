"""Celery tasks: unpack the arguments, call ``weave_ml``, return."""

from __future__ import annotations

import logging
import time
from typing import Any

import redis
from celery import Task, shared_task
from celery.exceptions import Reject
from kombu.exceptions import OperationalError

from weave_ml.names import (
    REGISTRY_ADMIN_TASK,
    RELOAD_COMMAND,
    RETRAIN_TASK,
    SCORE_BATCH_CHUNK_TASK,
    SCORE_MESSAGES_TASK,
)
from weave_ml.registry import changes as registry_admin
from weave_ml.registry.store import Registry
from weave_ml.serving.scoring_service import SCORING_FAILED
from weave_ml.settings import get_settings
from weave_ml.training import retrain
from workers import runtime

log = logging.getLogger(__name__)

# A batch chunk started this often without finishing (its worker died each time: out of memory, killed; or Redis
# failed it each time) is not tried again: its messages are marked failed, so one poisonous chunk cannot take down
# worker after worker.
MAX_CHUNK_STARTS = 3
# Redis failing in the middle of a chunk (unreachable, or too slow to answer): worth another try.
PASSING_REDIS_ERRORS = (redis.ConnectionError, redis.TimeoutError)


def deadline() -> float:
    """Return the ``time.monotonic()`` by which a task that starts now must stop scoring.

    A /predict task that started before it expired is scored in full even if its requests stopped waiting in the
    meantime: its scores are cached, and GET /predict/result answers them.
    """
    return time.monotonic() + get_settings().scoring_time_limit_s


@shared_task(name=SCORE_MESSAGES_TASK, ignore_result=True)
def score_messages(items: list[dict[str, Any]], reply_to: str | None = None) -> int:
    """Score one gateway micro-batch and reply to the waiting gateway process."""
    return runtime.service().answer_requests(items, reply_to, deadline())


class BatchChunkTask(Task):
    """A batch chunk that fails for good marks its messages failed, so the job ends instead of waiting for ever."""

    def on_failure(self, exc: Exception, task_id: str, args: Any, kwargs: Any, einfo: Any) -> None:
        batch_id, items = args[0], args[1]
        try:
            runtime.service().fail_batch_chunk(batch_id, [item["position"] for item in items], SCORING_FAILED)
        except (redis.RedisError, OSError, KeyError, TypeError) as error:
            log.error("batch %s: failed chunk %s could not be marked failed: %s", batch_id, task_id, error)


@shared_task(name=SCORE_BATCH_CHUNK_TASK, base=BatchChunkTask, bind=True, ignore_result=True)
def score_batch_chunk(self: Task, batch_id: str, items: list[dict[str, Any]]) -> int:
    """Score one chunk of a batch job into the job's results; on a passing Redis error, put it back in the queue."""
    service = runtime.service()
    try:
        if service.count_start(self.request.id) > MAX_CHUNK_STARTS:
            service.fail_batch_chunk(batch_id, [item["position"] for item in items], SCORING_FAILED)
            return 0
        return service.score_batch_chunk(batch_id, items, deadline())
    except PASSING_REDIS_ERRORS as exc:
        # The message itself goes back to the queue, not Celery's retry: a retry publishes a new message, built
        # without the argsrepr the gateway gave (so task events, Flower and its database would show the texts), and
        # when that publish fails too, as it does while Redis is failing, the chunk is dropped for good and its batch
        # never ends. A requeue keeps the message as sent; if Redis cannot take even that, the message, never
        # acknowledged, comes back after the visibility timeout. count_start bounds how often it runs.
        log.warning("batch %s: chunk %s goes back to the queue: %s", batch_id, self.request.id, exc)
        raise Reject(exc, requeue=True) from exc


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
    # Acknowledged when taken, unlike scoring tasks: the broker's visibility timeout is sized for tasks of
    # seconds, and a half-hour retrain redelivered while it runs would train twice. A retrain lost with its
    # worker is simply run at the next schedule (or by POST /admin/retrain).
    acks_late=False,
)
def retrain_model(trigger: str = "schedule") -> dict[str, Any]:
    """Run one retrain and return its summary; when a new version is published, tell the workers to load it."""
    return retrain.summary(retrain.run(get_settings(), trigger=trigger, on_published=_broadcast_reload))


@shared_task(
    name=REGISTRY_ADMIN_TASK,
    # Acknowledged when taken: a change redelivered after it was made would be made twice (a second rollback goes
    # one version further back).
    acks_late=False,
    track_started=True,
)
def change_registry(action: str, **arguments: Any) -> dict[str, Any]:
    """Apply one registry change (weave_ml.registry.changes) and, when the current model moved, tell the workers."""
    settings = get_settings()
    outcome = registry_admin.carry_out(Registry(settings.model_dir, keep=settings.models_keep), action, arguments)
    if "current_version" in outcome:
        _broadcast_reload(outcome["current_version"])
    return outcome

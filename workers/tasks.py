"""Celery tasks: unpack the arguments, call ``weave_ml``, return."""

from __future__ import annotations

import logging
import time
from typing import Any

import redis
from celery import Task, shared_task
from kombu.exceptions import OperationalError

from weave_ml.connections import redis_client
from weave_ml.names import (
    REGISTRY_ADMIN_TASK,
    RELOAD_COMMAND,
    RETRAIN_TASK,
    SCORE_BATCH_CHUNK_TASK,
    SCORE_MESSAGES_TASK,
)
from weave_ml.registry import changes as registry_admin
from weave_ml.registry.store import Registry
from weave_ml.rollouts.evidence import EvidenceStore
from weave_ml.settings import get_settings
from weave_ml.training.lock import TIME_LIMIT_S as RETRAIN_TIME_LIMIT_S
from workers import runtime

log = logging.getLogger(__name__)

# Redis failing in the middle of a chunk (unreachable, or too slow to answer): the sweep publishes it again.
PASSING_REDIS_ERRORS = (redis.ConnectionError, redis.TimeoutError)


def deadline() -> float:
    """Return the ``time.monotonic()`` by which a task that starts now must stop scoring.

    A /predict task that started before it expired is scored in full even if its requests stopped waiting in the
    meantime: its scores are cached, and GET /predict/result answers them.
    """
    return time.monotonic() + get_settings().scoring_time_limit_s


# No task events: a gateway sends up to a thousand of these a second; their failures are logged and counted.
@shared_task(name=SCORE_MESSAGES_TASK, ignore_result=True, send_events=False)
def score_messages(items: list[dict[str, Any]], reply_to: str | None = None) -> int:
    """Score one gateway micro-batch and reply to the waiting gateway process."""
    return runtime.service().answer_requests(items, reply_to, deadline())


@shared_task(
    name=SCORE_BATCH_CHUNK_TASK,
    ignore_result=True,
    # Acknowledged when taken: the job, not the broker, keeps the chunk (weave_ml.serving.batches). A chunk whose
    # worker dies is published again by the sweep once its lease runs out; one lost on its way is published again
    # once the queue no longer holds it.
    acks_late=False,
    bind=True,
)
def score_batch_chunk(self: Task, batch_id: str, chunk: int) -> int:
    """Claim one chunk of a batch job, score it into the job's results."""
    service = runtime.service()
    try:
        return service.score_batch_chunk(batch_id, chunk, deadline())
    except PASSING_REDIS_ERRORS as exc:
        log.warning("batch %s: chunk %d (task %s) left to the sweep: %s", batch_id, chunk, self.request.id, exc)
        return 0


def _broadcast_reload(version: str) -> None:
    try:
        retrain_model.app.control.broadcast(RELOAD_COMMAND)
    except OperationalError as exc:  # workers still notice the new pointer within seconds
        log.warning("reload of %s not broadcast: %s", version, exc)


@shared_task(
    name=RETRAIN_TASK,
    track_started=True,
    soft_time_limit=RETRAIN_TIME_LIMIT_S,
    time_limit=RETRAIN_TIME_LIMIT_S + 60,
    # Acknowledged when taken, unlike scoring tasks: the broker's visibility timeout is sized for tasks of
    # seconds, and a half-hour retrain redelivered while it runs would train twice. A retrain lost with its
    # worker is simply run at the next schedule (or by POST /admin/retrain).
    acks_late=False,
)
def retrain_model(trigger: str = "schedule") -> dict[str, Any]:
    """Run one retrain and return its summary; when a new version is published, tell the workers to load it."""
    # Here, not at the top: beat and Flower import this module (task names) and never train.
    from weave_ml.training import retrain

    return retrain.run(get_settings(), trigger=trigger, on_published=_broadcast_reload).summary()


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
    with redis_client(settings.state_url) as state:
        EvidenceStore(state, settings.rollout_evidence_ttl_s).forget_ended(outcome)
    if "current_version" in outcome:
        _broadcast_reload(outcome["current_version"])
    return outcome

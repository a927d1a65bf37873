"""Per-process state of a worker: the model holder, Redis clients, the reload command, state and liveness heartbeats."""

from __future__ import annotations

import functools
import logging
import os
import socket
import threading

import redis
from celery import current_app
from celery.signals import worker_init, worker_process_init, worker_process_shutdown, worker_shutdown
from celery.worker.control import control_command

from weave_ml import worker_states
from weave_ml.campaigns.counting import CampaignCounter
from weave_ml.connections import redis_client
from weave_ml.names import BATCH_QUEUE, RELOAD_COMMAND, SCORE_BATCH_CHUNK_TASK, SCORING_QUEUES
from weave_ml.registry.store import Registry, RegistryError
from weave_ml.rollouts.evidence import EvidenceStore
from weave_ml.serving.batches import LEASE_MARGIN_S, BatchJobs
from weave_ml.serving.cache import ScoreCache
from weave_ml.serving.model_holder import ModelHolder
from weave_ml.serving.scoring_service import ScoringService
from weave_ml.settings import get_settings
from workers import liveness

log = logging.getLogger(__name__)

HEARTBEAT_INTERVAL_S = 5.0

# The processes (pids) whose heartbeat runs: the solo pool announces its one process with both worker_init and
# worker_process_init, and one heartbeat per process is enough.
_started: set[int] = set()
_stopping = threading.Event()
# Whether this worker consumes a scoring queue (set at worker_init, inherited by prefork children): only scoring
# workers score with a rollout's candidate; the trainer's processes would load it for nothing.
_scores_messages = True


@functools.cache
def service() -> ScoringService:
    """Return this process's scoring service (built on first use, after any fork)."""
    settings = get_settings()
    results = redis_client(settings.redis_url)
    # Campaigns and rollout evidence grow with traffic: they live in a Redis that may evict, not in the broker.
    state = redis_client(settings.state_url)
    return ScoringService(
        holder=ModelHolder(
            Registry(settings.model_dir, keep=settings.models_keep),
            evidence=EvidenceStore(state, settings.rollout_evidence_ttl_s) if _scores_messages else None,
        ),
        cache=ScoreCache(redis_client(settings.cache_url), settings.cache_ttl_s),
        results=results,
        batches=BatchJobs(
            results,
            settings.result_ttl_s,
            lease_s=settings.scoring_time_limit_s + LEASE_MARGIN_S,
            attempts=settings.batch_chunk_attempts,
            send=send_batch_chunk,
        ),
        campaigns=CampaignCounter.from_settings(state, settings),
    )


def send_batch_chunk(batch_id: str, chunk: int) -> None:
    """Publish a chunk of a batch job again (the sweep's way to hand it to a worker)."""
    current_app.send_task(SCORE_BATCH_CHUNK_TASK, args=[batch_id, chunk], queue=BATCH_QUEUE, ignore_result=True)


def _field() -> str:
    return worker_states.process_field(socket.gethostname(), os.getpid())


def publish_state() -> None:
    """Write what this process serves to Redis, where the gateway's /health and /metrics read it."""
    state = service().holder.state()
    value = {
        "hostname": socket.gethostname(),
        "pid": os.getpid(),
        "model_version": state.version,
        "vocabulary_size": state.vocabulary_size,
        "error": state.error,
        "failed_version": state.failed_version,
        "candidate_version": state.candidate_version,
        "candidate_error": state.candidate_error,
    }
    worker_states.publish(service().results, _field(), value)


def _heartbeat() -> None:
    unreachable = False
    while not _stopping.is_set():
        try:
            service().holder.reload_if_moved(background=False)
            publish_state()
            if _scores_messages:
                service().batches.sweep()
            if unreachable:
                log.info("worker state published again")
            unreachable = False
        except redis.RedisError as exc:
            # Once per outage, not every few seconds while it lasts.
            if not unreachable:
                log.warning("worker state not published (tried again every %g s): %s", HEARTBEAT_INTERVAL_S, exc)
            unreachable = True
        _stopping.wait(HEARTBEAT_INTERVAL_S)


def start() -> None:
    """Load the current model and start the heartbeat, once in each process that runs scoring tasks."""
    if os.getpid() in _started:
        return
    _started.add(os.getpid())
    try:
        service().holder.scorer()
    except RegistryError as exc:
        log.error("no model to serve yet: %s", exc)
    threading.Thread(target=_heartbeat, name="worker-heartbeat", daemon=True).start()


def stop() -> None:
    """Withdraw this process's state, so /health stops listing it at once rather than when it goes stale."""
    if os.getpid() not in _started:
        return
    _stopping.set()
    try:
        worker_states.withdraw(service().results, _field())
    except redis.RedisError as exc:  # it goes stale within seconds anyway
        log.warning("worker state not withdrawn: %s", exc)


@worker_init.connect
def _on_worker_init(sender: object = None, **_: object) -> None:
    global _scores_messages  # noqa: PLW0603 - one flag per worker, read by service() in this process and its children
    consumed = getattr(getattr(getattr(sender, "app", None), "amqp", None), "queues", None)
    names = set(getattr(consumed, "consume_from", None) or ())
    _scores_messages = not names or bool(names & set(SCORING_QUEUES))
    # The main process of every worker shows it is alive without asking the broker (workers.liveness).
    liveness.keep_touching(str(getattr(sender, "hostname", "worker")))
    # With the solo and threads pools tasks run in this process; prefork children start their own below.
    # The pool is still named as configured here ("solo", "threads", "prefork" or a class path).
    if "prefork" not in str(getattr(sender, "pool_cls", "prefork")):
        start()


@worker_process_init.connect
def _on_worker_process_init(**_: object) -> None:
    if os.getpid() not in _started:
        service.cache_clear()  # clients and threads do not survive a fork
    start()


@worker_shutdown.connect
@worker_process_shutdown.connect
def _on_shutdown(**_: object) -> None:
    stop()


@control_command(name=RELOAD_COMMAND)
def weave_reload_model(state: object) -> dict[str, str]:
    """Load the newly published model version now rather than at the next pointer check."""
    service().holder.reload_if_moved(background=True)
    return {"ok": "reload requested"}

"""Per-process state of a worker: the model holder, Redis clients, the reload command and a state heartbeat."""

from __future__ import annotations

import functools
import json
import logging
import os
import socket
import threading
import time

import redis
from celery.signals import worker_init, worker_process_init
from celery.worker.control import control_command

from weave_ml.batches import BatchStore
from weave_ml.cache import ScoreCache
from weave_ml.connections import redis_client
from weave_ml.names import RELOAD_COMMAND, WORKER_STATE_PREFIX
from weave_ml.registry import Registry, RegistryError
from weave_ml.service import ScoringService
from weave_ml.serving import ModelHolder
from weave_ml.settings import get_settings

log = logging.getLogger(__name__)

HEARTBEAT_INTERVAL_S = 5.0
HEARTBEAT_TTL_S = 15


@functools.cache
def service() -> ScoringService:
    """Return this process's scoring service (built on first use, after any fork)."""
    settings = get_settings()
    results = redis_client(settings.redis_url)
    return ScoringService(
        holder=ModelHolder(Registry(settings.model_dir, keep=settings.models_keep)),
        cache=ScoreCache(redis_client(settings.cache_url), settings.cache_ttl_s),
        results=results,
        batches=BatchStore(results, settings.result_ttl_s),
    )


def publish_state() -> None:
    """Write what this process serves to Redis, where the gateway's /health reads it."""
    state = service().holder.state()
    key = f"{WORKER_STATE_PREFIX}:{socket.gethostname()}:{os.getpid()}"
    value = {
        "hostname": socket.gethostname(),
        "pid": os.getpid(),
        "model_version": state.version,
        "vocabulary_size": state.vocabulary_size,
        "error": state.error,
        "failed_version": state.failed_version,
        "updated_at": time.time(),
    }
    service().results.set(key, json.dumps(value), ex=HEARTBEAT_TTL_S)


def _heartbeat() -> None:
    while True:
        try:
            service().holder.reload_if_moved(background=False)
            publish_state()
        except redis.RedisError as exc:
            log.warning("worker state not published: %s", exc)
        time.sleep(HEARTBEAT_INTERVAL_S)


def start() -> None:
    """Load the current model and start the heartbeat; called once in each process that runs tasks."""
    try:
        service().holder.scorer()
    except RegistryError as exc:
        log.error("no model to serve yet: %s", exc)
    threading.Thread(target=_heartbeat, name="worker-heartbeat", daemon=True).start()


@worker_init.connect
def _on_worker_init(sender: object = None, **_: object) -> None:
    # With the solo and threads pools tasks run in this process; prefork children start their own below.
    # The pool is still named as configured here ("solo", "threads", "prefork" or a class path).
    if "prefork" not in str(getattr(sender, "pool_cls", "prefork")):
        start()


@worker_process_init.connect
def _on_worker_process_init(**_: object) -> None:
    service.cache_clear()  # clients and threads do not survive a fork
    start()


@control_command(name=RELOAD_COMMAND)
def weave_reload_model(state: object) -> dict[str, str]:
    """Load the newly published model version now rather than at the next pointer check."""
    service().holder.reload_if_moved(background=True)
    return {"ok": "reload requested"}

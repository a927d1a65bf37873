"""Celery signal handlers: our log format in every Celery process, request ids on tasks, retrain outcomes counted."""

from __future__ import annotations

import functools
import logging
from contextvars import Token
from typing import Any

import redis
from celery import signals

from weave_ml import counters, keys, logs
from weave_ml.connections import redis_client
from weave_ml.names import REQUEST_ID_HEADER, RETRAIN_TASK, SCORE_MESSAGES_TASK
from weave_ml.serving.pending import PendingStore
from weave_ml.settings import ConfigError, get_settings
from weave_ml.training import outcomes as retrain_stats

log = logging.getLogger(__name__)

FAILED = "failed"

_tokens: dict[str, Token[str | None]] = {}


def setup_logging(loglevel: int | str | None = None, **_: Any) -> None:
    """Replace Celery's logging set-up with ours (JSON lines when LOG_FORMAT=json)."""
    logs.configure(get_settings().log_format, level=loglevel or logging.INFO)


def add_request_id(headers: dict[str, Any] | None = None, **_: Any) -> None:
    """Give a task published while serving a request that request's id, unless the caller set one."""
    current = logs.request_id.get()
    if headers is not None and current:
        headers.setdefault(REQUEST_ID_HEADER, current)


def bind_request_id(task_id: str | None = None, task: Any = None, **_: Any) -> None:
    """Put the task's request id on every log line the task's run writes."""
    if task_id is not None and task is not None:
        _tokens[task_id] = logs.request_id.set(task.request.get(REQUEST_ID_HEADER) or None)


def unbind_request_id(task_id: str | None = None, **_: Any) -> None:
    token = _tokens.pop(task_id or "", None)
    if token is not None:
        logs.request_id.reset(token)


@functools.cache
def _results() -> redis.Redis:
    # One client per process; redis-py's pool opens new connections in a forked child by itself.
    return redis_client(get_settings().redis_url)


def _record(outcome: str) -> None:
    try:
        retrain_stats.record_outcome(_results(), outcome)
    except redis.RedisError as exc:  # the run's report is on the model volume either way
        log.warning("retrain outcome %s not counted: %s", outcome, exc)


def count_retrain(sender: Any = None, result: Any = None, **_: Any) -> None:
    """Count a finished retrain by its decision (published, candidate, refused, skipped, already_running)."""
    if getattr(sender, "name", None) == RETRAIN_TASK:
        decision = result.get("decision") if isinstance(result, dict) else None
        _record(decision or FAILED)


def count_failed_retrain(sender: Any = None, **_: Any) -> None:
    """Count a retrain that raised (reports unreadable, time limit, a bug) as failed."""
    if getattr(sender, "name", None) == RETRAIN_TASK:
        _record(FAILED)


def count_expired(sender: Any = None, request: Any = None, expired: bool = False, **_: Any) -> None:
    """Count the /predict requests of a scoring task dropped because it expired before a worker took it."""
    if not expired or getattr(sender, "name", None) != SCORE_MESSAGES_TASK:
        return
    items = (getattr(request, "args", None) or [[]])[0]
    request_ids = [request_id for item in items for request_id in item["ids"]]
    try:
        PendingStore(_results(), get_settings().result_ttl_s).mark_dropped(request_ids)
        counters.add(_results(), counters.EXPIRED_REQUESTS, len(request_ids))
    except redis.RedisError as exc:
        log.warning("%d expired requests not recorded: %s", len(request_ids), exc)


def require_secrets(**_: Any) -> None:
    """Stop a worker or beat at start when WEAVE_SECRET_KEYS is missing: both seal or open task bodies, and a body
    a worker cannot open would be thrown away. (Flower's first remote-control call stops it as plainly.)"""
    try:
        keys.current()
    except ConfigError as exc:
        # SystemExit, not an exception: Celery logs a signal handler's exception and goes on starting.
        raise SystemExit(f"weave-ml: {exc}") from None


def install() -> None:
    """Connect the handlers; connecting twice is harmless (Celery keeps one per function)."""
    signals.worker_init.connect(require_secrets)
    signals.beat_init.connect(require_secrets)
    signals.setup_logging.connect(setup_logging)
    signals.before_task_publish.connect(add_request_id)
    signals.task_prerun.connect(bind_request_id)
    signals.task_postrun.connect(unbind_request_id)
    signals.task_success.connect(count_retrain)
    signals.task_failure.connect(count_failed_retrain)
    signals.task_revoked.connect(count_expired)

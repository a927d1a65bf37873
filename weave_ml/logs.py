"""Logging set-up shared by every process: readable text under ``make run``, JSON lines in containers."""

from __future__ import annotations

import atexit
import json
import logging
import os
import queue
import re
import time
import uuid
from contextvars import ContextVar
from logging.handlers import QueueHandler, QueueListener
from typing import Any

# Attributes every LogRecord has; anything else was passed in ``extra`` and belongs in the JSON line.
_STANDARD = set(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {"message", "asctime"}

# Celery's task log lines carry the task's arguments and result in ``data``: message texts and phone numbers.
_TASK_DATA_SECRETS = {"args", "kwargs", "return_value"}

# The id of the HTTP request (gateway) or of the requests a task serves (worker) this thread works for.
request_id: ContextVar[str | None] = ContextVar("request_id", default=None)

# A caller's X-Request-ID is kept only when it is short and plain, so it cannot forge log lines or bloat them.
_ACCEPTED_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")


def new_request_id(proposed: str | None = None) -> str:
    """Return ``proposed`` when it is a usable request id, else a fresh one."""
    if proposed and _ACCEPTED_ID.fullmatch(proposed):
        return proposed
    return uuid.uuid4().hex


class RequestIdFilter(logging.Filter):
    """Put the current request id on every record as ``request_id`` (None outside a request or task)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id.get()
        return True


class TextFormatter(logging.Formatter):
    """``time level logger [request id]: message``; the brackets only when there is a request id."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s%(context)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        current = getattr(record, "request_id", None)
        record.context = f" [{current}]" if current else ""
        return super().format(record)


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, request id, message, and any ``extra`` fields."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "request_id", None),
            "message": record.getMessage(),
        }
        entry.update({key: value for key, value in record.__dict__.items() if key not in _STANDARD | {"context"}})
        if isinstance(entry.get("data"), dict):
            entry["data"] = {key: value for key, value in entry["data"].items() if key not in _TASK_DATA_SECRETS}
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class _ServiceHandler(logging.StreamHandler):
    """The handler :func:`configure` installs; a second call finds it and adds no other."""


class _QueuedServiceHandler(QueueHandler):
    """Hands records to one writer thread: the gateway's request threads never wait on stderr's lock.

    With 32 threads per process, formatting and writing each answer's log line under one handler lock was a large
    share of a cached answer's time, most of it waiting. The request id is read here, in the request's thread.
    """

    def __init__(self, target: logging.Handler) -> None:
        super().__init__(queue.SimpleQueue())
        self.target = target
        self.addFilter(RequestIdFilter())
        self._start()
        # The writer thread does not survive a fork: a child that logs starts its own.
        os.register_at_fork(after_in_child=self._start)
        atexit.register(self._flush_and_stop)

    def _start(self) -> None:
        self.queue = queue.SimpleQueue()
        self.listener = QueueListener(self.queue, self.target)
        self.listener.start()

    def _flush_and_stop(self) -> None:
        """Write what is queued, then end the thread: at exit nothing logged is lost."""
        if self.listener._thread is not None:
            self.listener.stop()

    def prepare(self, record: logging.LogRecord) -> logging.LogRecord:
        # Only the arguments are merged now (the caller may change them once it returns); formatting, the costly
        # part, happens in the writer thread with the target's own formatter.
        record.msg, record.args = record.getMessage(), None
        return record


def configure(log_format: str = "text", level: int | str = logging.INFO, *, queued: bool = False) -> None:
    """Send this process's logs to stderr in the given format (``text`` or ``json``), once.

    ``queued``: through a writer thread of its own (:class:`_QueuedServiceHandler`), for processes whose many
    threads log at once (the gateway). Single-threaded workers write directly: a line is out before a crash.
    """
    root = logging.getLogger()
    if any(isinstance(handler, (_ServiceHandler, _QueuedServiceHandler)) for handler in root.handlers):
        return
    handler = _ServiceHandler()
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter() if log_format == "json" else TextFormatter())
    root.addHandler(_QueuedServiceHandler(handler) if queued else handler)
    root.setLevel(level)

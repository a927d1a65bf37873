"""Gateway-side micro-batching: concurrent /predict requests of one process share one Celery task and reply.

Requests queue up while the previous task is being sent, so batches form by themselves under load and a
lone request waits for nobody. Identical texts in a batch are scored once. Replies for the whole process
arrive on one Redis list read by one thread (see ``weave_ml.replies``).
"""

from __future__ import annotations

import logging
import os
import queue
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import redis

from weave_ml import replies
from weave_ml.scoring import Score

log = logging.getLogger(__name__)

SendBatch = Callable[[list[dict[str, Any]], str], None]


class BrokerUnavailable(RuntimeError):
    """The scoring job could not be queued."""


@dataclass
class Waiter:
    """One request waiting for its score."""

    request_id: str
    message: str
    sender: str | None
    message_hash: str
    done: threading.Event = field(default_factory=threading.Event)
    score: Score | None = None
    error: Exception | None = None

    def resolve(self, score: Score) -> None:
        self.score = score
        self.done.set()

    def fail(self, error: Exception) -> None:
        self.error = error
        self.done.set()


class Dispatcher:
    """Collects requests into batches, sends each as one task, and hands replies back to the waiters."""

    def __init__(self, send_batch: SendBatch, results: redis.Redis, max_batch: int = 256) -> None:
        self.send_batch = send_batch
        self.results = results
        self.max_batch = max_batch
        self._queue: queue.SimpleQueue[Waiter] = queue.SimpleQueue()
        self._waiting: dict[str, Waiter] = {}
        self._started_in: int | None = None
        self._start_lock = threading.Lock()
        self.reply_to = ""

    def submit(self, message: str, sender: str | None, message_hash: str) -> Waiter:
        """Queue one message for scoring and return the waiter to wait on."""
        self._ensure_started()
        waiter = Waiter(uuid.uuid4().hex, message, sender, message_hash)
        self._waiting[waiter.request_id] = waiter
        self._queue.put(waiter)
        return waiter

    def forget(self, waiter: Waiter) -> None:
        """Stop waiting for a request (it timed out); a late reply is dropped."""
        self._waiting.pop(waiter.request_id, None)

    def _ensure_started(self) -> None:
        # Threads do not survive gunicorn's fork, so each process starts its own on first use.
        if self._started_in == os.getpid():
            return
        with self._start_lock:
            if self._started_in == os.getpid():
                return
            self._queue = queue.SimpleQueue()
            self._waiting = {}
            self.reply_to = replies.reply_key(uuid.uuid4().hex)
            for target, name in ((self._send_loop, "dispatch-send"), (self._reply_loop, "dispatch-reply")):
                threading.Thread(target=target, name=name, daemon=True).start()
            self._started_in = os.getpid()

    def _next_batch(self) -> list[Waiter]:
        batch = [self._queue.get()]
        while len(batch) < self.max_batch:
            try:
                batch.append(self._queue.get_nowait())
            except queue.Empty:
                break
        return batch

    def _send_loop(self) -> None:
        while True:
            batch = self._next_batch()
            items: dict[str, dict[str, Any]] = {}
            for waiter in batch:
                item = items.setdefault(
                    waiter.message_hash, {"ids": [], "message": waiter.message, "sender": waiter.sender}
                )
                item["ids"].append(waiter.request_id)
            try:
                self.send_batch(list(items.values()), self.reply_to)
            except Exception as exc:  # any publish failure must release the waiters, never kill this thread
                log.warning("scoring job not queued: %s", exc)
                for waiter in batch:
                    self._waiting.pop(waiter.request_id, None)
                    waiter.fail(BrokerUnavailable(str(exc)))

    def _reply_loop(self) -> None:
        while True:
            try:
                received = replies.receive(self.results, self.reply_to, timeout_s=1.0)
            except redis.RedisError as exc:
                log.warning("reply list unreadable: %s", exc)
                time.sleep(0.2)
                continue
            for request_id, score in received:
                waiter = self._waiting.pop(request_id, None)
                if waiter is not None:
                    waiter.resolve(score)

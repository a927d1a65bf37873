"""Gateway-side micro-batching: concurrent /predict requests of one process share one Celery task and reply.

Requests queue up while the previous task is being sent, so batches form by themselves under load and a
lone request waits for nobody. The score cache is asked once per batch (one MGET, not one round trip per
request) and only the misses go to a worker; identical texts in a batch are scored once. Replies for the whole
process arrive on one Redis list read by one thread (see ``weave_ml.serving.replies``).
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

from weave_ml import logs
from weave_ml.model.predictions import Score
from weave_ml.serving import replies

log = logging.getLogger(__name__)

SendBatch = Callable[[list[dict[str, Any]], str], None]
# Cached scores of message hashes (None for a miss); must answer all misses rather than raise when the cache fails.
LookUp = Callable[[list[str]], list[Score | None]]


class BrokerUnavailable(RuntimeError):
    """The scoring job could not be queued."""


class NotScored(RuntimeError):
    """A worker took the message but could not score it; ``code`` says why (e.g. ``timeout``)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass
class Waiter:
    """One request waiting for its score."""

    request_id: str
    message: str
    sender: str | None
    message_hash: str
    done: threading.Event = field(default_factory=threading.Event)
    score: Score | None = None
    cached: bool = False  # answered from the score cache, not by a worker
    error: Exception | None = None
    # The HTTP request's id, read in the request's thread; the send thread has none of its own.
    log_id: str | None = field(default_factory=logs.request_id.get)

    def resolve(self, score: Score, cached: bool = False) -> None:
        self.score, self.cached = score, cached
        self.done.set()

    def fail(self, error: Exception) -> None:
        self.error = error
        self.done.set()


class Dispatcher:
    """Collects requests into batches, sends each as one task, and hands replies back to the waiters."""

    def __init__(
        self,
        send_batch: SendBatch,
        results: redis.Redis,
        *,
        max_batch: int = 256,
        max_in_flight: int = 2,
        in_flight_timeout_s: float = 5.0,
        look_up: LookUp | None = None,
    ) -> None:
        self.send_batch = send_batch
        self.look_up = look_up
        self.results = results
        self.max_batch = max_batch
        self.max_in_flight = max_in_flight
        # A batch not answered by then never will be (its task expired, or its worker died): its slot is freed.
        self.in_flight_timeout_s = in_flight_timeout_s
        # Batches sent and not yet answered (token → time sent), and the batch each request travels in.
        self._in_flight: dict[str, float] = {}
        self._batch_of: dict[str, str] = {}
        self._slots = threading.Condition()
        self._closed = threading.Event()
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

    def log_ids(self, request_ids: list[str]) -> list[str]:
        """Return the HTTP request ids (for logs) of those waiters that still wait."""
        return [w.log_id for i in request_ids if (w := self._waiting.get(i)) is not None and w.log_id]

    def forget(self, waiter: Waiter) -> None:
        """Stop waiting for a request (it timed out); a late reply is dropped."""
        self._waiting.pop(waiter.request_id, None)

    def close(self) -> None:
        """Stop this process's threads (within about a second); waiting requests time out."""
        self._closed.set()

    def _ensure_started(self) -> None:
        # Threads do not survive a fork (the server forks its processes), so each process starts its own on first use.
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
        """Return the next requests to send to a worker (cache hits are answered on the way); empty once closed."""
        # Without a cap on batches in flight, a closed loop of clients settles into batches of one: each
        # answer triggers the next request, which is sent alone at once. Holding new requests while
        # ``max_in_flight`` batches are out lets them gather, and a lone request still waits for nobody.
        # Cache hits never wait for a slot: they are looked up before it.
        while True:
            try:
                first = self._queue.get(timeout=0.5)
            except queue.Empty:
                if self._closed.is_set():
                    return []
                continue
            misses = self._answer_cached([first, *self._drain(self.max_batch - 1)])
            if misses:
                break
        self._wait_for_slot()
        return misses + self._answer_cached(self._drain(self.max_batch - len(misses)))

    def _drain(self, limit: int) -> list[Waiter]:
        taken: list[Waiter] = []
        while len(taken) < limit:
            try:
                taken.append(self._queue.get_nowait())
            except queue.Empty:
                break
        return taken

    def _answer_cached(self, waiters: list[Waiter]) -> list[Waiter]:
        """Answer the waiters whose score is cached, in one look-up; return the others."""
        if not waiters or self.look_up is None:
            return waiters
        try:
            scores = self.look_up([waiter.message_hash for waiter in waiters])
        except Exception as exc:  # the cache only saves work: a failed look-up sends everything to a worker
            log.warning("cache look-up failed, scoring instead: %s", exc)
            return waiters
        misses = []
        for waiter, score in zip(waiters, scores, strict=True):
            if score is None:
                misses.append(waiter)
            else:
                self._waiting.pop(waiter.request_id, None)
                waiter.resolve(score, cached=True)
        return misses

    def _wait_for_slot(self) -> None:
        with self._slots:
            while len(self._in_flight) >= self.max_in_flight:
                if not self._drop_expired(time.monotonic()):
                    self._slots.wait(timeout=0.1)

    def _drop_expired(self, now: float) -> bool:
        """Free the slots of batches past their deadline (call with ``_slots`` held); True if any was freed."""
        expired = {t for t, sent in self._in_flight.items() if now - sent > self.in_flight_timeout_s}
        for token in expired:
            del self._in_flight[token]
        if expired:
            self._batch_of = {r: t for r, t in self._batch_of.items() if t not in expired}
        return bool(expired)

    def in_flight(self) -> tuple[int, int]:
        """Return the batches in flight and the requests travelling in them (bounded, whatever happens)."""
        with self._slots:
            self._drop_expired(time.monotonic())
            return len(self._in_flight), len(self._batch_of)

    def _release(self, token: str | None) -> None:
        with self._slots:
            if token is not None and self._in_flight.pop(token, None) is not None:
                self._slots.notify()

    def _send_loop(self) -> None:
        while batch := self._next_batch():
            token = uuid.uuid4().hex
            with self._slots:
                now = time.monotonic()
                self._drop_expired(now)
                self._in_flight[token] = now
                self._batch_of.update((waiter.request_id, token) for waiter in batch)
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
                with self._slots:
                    for waiter in batch:
                        self._batch_of.pop(waiter.request_id, None)
                self._release(token)
                for waiter in batch:
                    self._waiting.pop(waiter.request_id, None)
                    waiter.fail(BrokerUnavailable(str(exc)))

    def _reply_loop(self) -> None:
        failing = False
        while not self._closed.is_set():
            try:
                received = replies.receive(self.results, self.reply_to, timeout_s=0.5)
            except Exception as exc:  # a lost connection or a garbled reply must not end this thread
                if not failing:  # once per outage, not five times a second while it lasts
                    log.warning("reply list unreadable: %s", exc)
                failing = True
                time.sleep(0.2)
                continue
            if failing:
                log.info("reply list readable again")
            failing = False
            if received:
                with self._slots:
                    tokens = {self._batch_of.pop(request_id, None) for request_id, _ in received}
                for token in tokens:
                    self._release(token)
            for request_id, answer in received:
                waiter = self._waiting.pop(request_id, None)
                if waiter is None:
                    continue
                if isinstance(answer, str):
                    waiter.fail(NotScored(answer))
                else:
                    waiter.resolve(answer)

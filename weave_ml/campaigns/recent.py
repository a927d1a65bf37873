"""Texts a process counted moments ago: a repeat is answered with the campaign that count returned, and counted
in the background, many repeats to one Redis call.

A blast repeats the same text many times a second, and the hot-score map already answers those repeats without a
socket; waiting for the campaign's Redis round trip on each would make the campaign step the slowest part of the
answer. The price: a repeat is answered with the campaign as its text's last count (or the background count of an
earlier repeat) returned it, at most ``ttl_s`` ago, so its counts lag that much; a verdict reported meanwhile
empties the memory within ``flush_every_s`` (``changed``), so it never lags. The repeats counted in the last
``flush_every_s`` are lost if the process dies. Keys are a hash of the text, never the text.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
import time
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

from cachetools import TTLCache

log = logging.getLogger(__name__)

Found = TypeVar("Found")  # what a text's count returned, kept for its repeats
Later = TypeVar("Later")  # a count to make in the background

# Enough for every distinct text of a blast, as the hot-score map; about 2 KB an entry (the signature's 16 band
# keys, the masked template, the campaign), so at most about 20 MB a process.
MAX_ENTRIES = 10_000
# Counts waiting beyond this many (Redis far too slow to keep up) are dropped, not held without bound.
MAX_WAITING = 100_000


def memory_key(message: str) -> bytes:
    """The key of a text: 16 bytes of its BLAKE2b hash."""
    return hashlib.blake2b(message.encode("utf-8", "surrogatepass"), digest_size=16).digest()


class RecentCounts(Generic[Found, Later]):
    """What recent texts' counts returned, and the counts of their repeats, sent by a thread of the process.

    ``flush(counts)`` sends waiting counts in one call and returns, per count, what to keep for its text (or None
    to keep nothing); it must not raise. ``changed()``, asked at every flush, says whether what is kept may have
    gone wrong (a verdict was reported): everything kept is then forgotten.
    """

    def __init__(
        self,
        flush: Callable[[Sequence[Later]], Sequence[Found | None]],
        changed: Callable[[], bool] = lambda: False,
        ttl_s: float = 10.0,
        flush_every_s: float = 0.05,
    ) -> None:
        self._flush = flush
        self._changed = changed
        self.flush_every_s = flush_every_s
        self._found: TTLCache[bytes, Found] = TTLCache(maxsize=MAX_ENTRIES, ttl=ttl_s)
        self._waiting: list[tuple[bytes, Later]] = []
        self._lock = threading.Lock()  # cachetools caches are not thread-safe
        # One flush at a time: a caller of flush_now returns only once the counts taken before it are sent, also
        # those the background thread took a moment earlier.
        self._flushing = threading.Lock()
        self._sender_pid: int | None = None  # the thread belongs to the process that started it (servers fork)

    def get(self, key: bytes) -> Found | None:
        """Return what the last count of this text returned, if recent enough."""
        with self._lock:
            return self._found.get(key)

    def keep(self, key: bytes, found: Found) -> None:
        """Remember what a text's count returned, for its repeats."""
        with self._lock:
            self._found[key] = found
            self._start_sender()

    def count_later(self, key: bytes, count: Later) -> None:
        """Queue a repeat's count for the next flush."""
        with self._lock:
            if len(self._waiting) >= MAX_WAITING:
                return
            self._waiting.append((key, count))
            self._start_sender()

    def watch(self) -> None:
        """Start the thread that flushes counts and asks ``changed()`` (it starts by itself with the first entry)."""
        with self._lock:
            self._start_sender()

    def _start_sender(self) -> None:
        # Under the lock. Started by the first entry, in the process that has it: not before the server forks.
        if self._sender_pid != os.getpid():
            self._sender_pid = os.getpid()
            threading.Thread(target=self._send_forever, name="campaign-counts", daemon=True).start()

    def flush_now(self) -> int:
        """Forget everything kept if ``changed()``; send the waiting counts in one call and keep what it returned
        for their texts; return how many were sent."""
        with self._flushing:
            return self._flush_waiting()

    def _flush_waiting(self) -> int:
        if self._changed():
            with self._lock:
                self._found.clear()
        with self._lock:
            waiting, self._waiting = self._waiting, []
        if not waiting:
            return 0
        results = self._flush([count for _, count in waiting])
        with self._lock:
            for (key, _), found in zip(waiting, results, strict=True):
                if found is not None:
                    self._found[key] = found
        return len(waiting)

    def _send_forever(self) -> None:
        while True:
            time.sleep(self.flush_every_s)
            try:
                self.flush_now()
            except Exception:  # the thread must outlive any one failure; flush itself reports Redis failures
                log.exception("campaign counts not sent")

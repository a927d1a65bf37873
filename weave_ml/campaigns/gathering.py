"""Concurrent callers of one process share one call: items gather while a call is in flight.

A lone caller makes its call at once and waits for nobody; under load, the callers that arrive while a call is
out become the next call, so one Redis round trip serves many /predict answers. Each call is made by one of the
callers it serves (no thread of its own), and a caller leads at most one call, so nobody waits behind more than
the call in flight and its own. A waiting caller sleeps on a lock of its own and is woken once: with its result,
or to lead the next call (a shared condition woke every waiter at every call, and the waiters' wake-ups cost more
CPU than the call they shared).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")


@dataclass
class _Slot(Generic[Item, Result]):
    item: Item
    done: bool = False
    result: Result | None = None
    error: BaseException | None = None
    # Held while the caller waits; released once, when the slot is done or its caller is to lead the next call.
    waker: threading.Lock = field(default_factory=threading.Lock)


class Gatherer(Generic[Item, Result]):
    """Runs ``call(items) -> results`` (one result per item, in order) for items submitted from many threads."""

    def __init__(self, call: Callable[[Sequence[Item]], Sequence[Result]]) -> None:
        self._call = call
        self._lock = threading.Lock()
        self._pending: list[_Slot[Item, Result]] = []
        self._busy = False

    def submit(self, item: Item) -> Result | None:
        """Return the result of ``item``, made in one call with the items submitted meanwhile; raise its error."""
        slot: _Slot[Item, Result] = _Slot(item)
        slot.waker.acquire()
        with self._lock:
            self._pending.append(slot)
            leads = not self._busy
            self._busy = True
        if not leads:
            slot.waker.acquire()  # until a call answered it, or the call before handed it the next one
        if not slot.done:
            with self._lock:
                batch, self._pending = self._pending, []
            self._lead(batch)
        if slot.error is not None:
            raise slot.error
        return slot.result

    def _lead(self, batch: list[_Slot[Item, Result]]) -> None:
        results: Sequence[Result | None] = [None] * len(batch)
        error: BaseException | None = None
        try:
            results = self._call([slot.item for slot in batch])
        except BaseException as exc:  # every caller of the batch sees it, not only the one that made the call
            error = exc
        for slot, result in zip(batch, results, strict=True):
            slot.result, slot.error, slot.done = result, error, True
        with self._lock:
            # Items that came in meanwhile: the first of their callers leads their call, the gatherer stays busy.
            following = self._pending[0] if self._pending else None
            self._busy = following is not None
        for slot in batch:
            if slot.waker.locked():
                slot.waker.release()
        if following is not None:
            following.waker.release()

"""Concurrent callers of one process share one call: items gather while a call is in flight.

A lone caller makes its call at once and waits for nobody; under load, the callers that arrive while a call is
out become the next call, so one Redis round trip serves many /predict answers. Each call is made by one of the
callers it serves (no thread of its own), and a caller leads at most one call, so nobody waits behind more than
the call in flight and its own.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")


@dataclass
class _Slot(Generic[Item, Result]):
    item: Item
    done: bool = False
    result: Result | None = None
    error: BaseException | None = None


class Gatherer(Generic[Item, Result]):
    """Runs ``call(items) -> results`` (one result per item, in order) for items submitted from many threads."""

    def __init__(self, call: Callable[[Sequence[Item]], Sequence[Result]]) -> None:
        self._call = call
        self._ready = threading.Condition()
        self._pending: list[_Slot[Item, Result]] = []
        self._busy = False

    def submit(self, item: Item) -> Result | None:
        """Return the result of ``item``, made in one call with the items submitted meanwhile; raise its error."""
        slot: _Slot[Item, Result] = _Slot(item)
        with self._ready:
            self._pending.append(slot)
            while self._busy and not slot.done:
                self._ready.wait()
            if not slot.done:
                self._busy = True
                batch, self._pending = self._pending, []
        if not slot.done:
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
        with self._ready:
            for slot, result in zip(batch, results, strict=True):
                slot.result, slot.error, slot.done = result, error, True
            self._busy = False
            self._ready.notify_all()

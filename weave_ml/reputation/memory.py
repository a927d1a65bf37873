"""A process's short memory of reputation entries and of what operators said (verified senders, admins' verdicts),
forgotten when a verdict changes.

Most texts link to domains and name numbers the process looked up seconds ago: those are answered from here, and
their sightings counted in the background (weave_ml.campaigns.counting). An entry is remembered for ``ttl_s`` at
most, so its counts lag that much; its verdict never does, nearly: every change of a verdict, in any process, moves
one counter in Redis (``store.CHANGES_KEY``), which the process's background thread reads every 50 ms
(:meth:`Memory.changed`), and everything remembered is then forgotten. What operators said is read again after
such a change, and at least every ``OPERATORS_MAX_AGE_S``.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence

import redis
from cachetools import TTLCache

from weave_ml.reputation.policy import Entry, Looked
from weave_ml.reputation.store import ReputationStore
from weave_ml.reputation.subjects import Subject, Verified

log = logging.getLogger(__name__)

# Enough for the domains and numbers of every text of a blast and of the traffic around it; about 300 bytes an entry.
MAX_ENTRIES = 20_000
OPERATORS_MAX_AGE_S = 60.0
_UNREAD = object()


class Memory:
    """Entries by id, and what operators said, as this process last read them; thread-safe."""

    def __init__(
        self, store: ReputationStore, ttl_s: float = 10.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.store = store
        self._clock = clock
        self._entries: TTLCache[str, Entry] = TTLCache(maxsize=MAX_ENTRIES, ttl=ttl_s, timer=clock)
        self._lock = threading.Lock()  # cachetools caches are not thread-safe
        self._operators: tuple[Verified, dict[str, str]] = (Verified(), {})
        self._operators_at = float("-inf")
        self._changes: object = _UNREAD

    def known(self, subjects: Sequence[Subject]) -> dict[str, Looked] | None:
        """Return every subject's entry if each is remembered (a text holding it was seen before: it was counted),
        else None."""
        found: dict[str, Looked] = {}
        with self._lock:
            for subject in subjects:
                entry = self._entries.get(subject.id)
                if entry is None:
                    return None
                found[subject.id] = Looked(entry, entry.messages > 0)
        return found

    def keep(self, looked: Mapping[str, Looked]) -> None:
        """Remember entries as a count or a look-up returned them."""
        with self._lock:
            for subject_id, found in looked.items():
                self._entries[subject_id] = found.entry

    def operators(self) -> tuple[Verified, dict[str, str]]:
        """Return the verified senders and admins' verdicts by entry id, read again when a change was seen or they
        are older than OPERATORS_MAX_AGE_S; when Redis fails, the last ones read."""
        if self._clock() - self._operators_at <= OPERATORS_MAX_AGE_S:
            return self._operators
        try:
            self._operators = self.store.operators()
        except (redis.RedisError, OSError) as exc:
            log.warning("verified senders and admins' verdicts not read, the last ones read are used: %s", exc)
        self._operators_at = self._clock()
        return self._operators

    def verified(self) -> Verified:
        """Return the verified senders (see :meth:`operators`)."""
        return self.operators()[0]

    def changed(self, value: object) -> bool:
        """Forget everything if the store's change counter (``value``, as just read) moved; return whether it did."""
        moved = value != self._changes
        self._changes = value
        if moved:
            with self._lock:
                self._entries.clear()
            self._operators_at = float("-inf")
        return moved

"""Scores this gateway process answered in the last seconds, so a blast of one text touches no socket.

A score depends only on the model version and the message hash, so an entry never goes wrong; the short TTL
and the size bound keep memory flat and let the shared Redis cache stay the one that lasts. Keys carry the
version: a newly published model never answers from an older version's entries.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence

from cachetools import TTLCache

from weave_ml.model.predictions import Score

# Enough for every distinct text of a blast; about 300 bytes an entry.
MAX_ENTRIES = 10_000


class HotScores:
    """A bounded, thread-safe, version-keyed map of recent scores; a TTL of 0 turns it off."""

    def __init__(
        self, ttl_s: float, max_entries: int = MAX_ENTRIES, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.enabled = ttl_s > 0
        self._scores: TTLCache[tuple[str, str], Score] = TTLCache(
            maxsize=max_entries, ttl=max(ttl_s, 1e-9), timer=clock
        )
        # cachetools caches are not thread-safe; the gateway's request threads share this one.
        self._lock = threading.Lock()

    def get(self, versions: Sequence[str], message_hash: str) -> Score | None:
        """Return the score of ``message_hash`` under the first of ``versions`` that has one, else None."""
        if not self.enabled:
            return None
        with self._lock:
            for version in versions:
                score = self._scores.get((version, message_hash))
                if score is not None:
                    return score
        return None

    def put(self, scores: Sequence[Score]) -> None:
        """Remember scores under the version that made each."""
        if not self.enabled:
            return
        with self._lock:
            for score in scores:
                self._scores[(score.model_version, score.message_hash)] = score

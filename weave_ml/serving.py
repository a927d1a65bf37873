"""The model a scoring process serves: loaded once, swapped for a newly published version without a pause."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

from weave_ml.registry import Registry, RegistryError
from weave_ml.scoring import Scorer

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ModelState:
    """What a process serves and, when the newest version would not load, why."""

    version: str | None
    vocabulary_size: int | None
    error: str | None
    failed_version: str | None


class ModelHolder:
    """Holds the current :class:`Scorer` of one process.

    A reload is requested by a broadcast or noticed by checking the registry pointer (at most every
    ``check_interval_s``). The new version is loaded in a background thread while the old one keeps
    scoring, then swapped in with one assignment, so no request waits for or fails on a reload. A version
    that fails to load is logged, reported by :meth:`state`, and not tried again until the pointer moves.
    """

    def __init__(self, registry: Registry, check_interval_s: float = 2.0) -> None:
        self.registry = registry
        self.check_interval_s = check_interval_s
        self._scorer: Scorer | None = None
        self._error: str | None = None
        self._failed_version: str | None = None
        self._loading = threading.Lock()
        self._last_check = 0.0

    def scorer(self) -> Scorer:
        """Return the scorer to use now; the first call loads the current version in the caller's thread."""
        if self._scorer is None:
            self._load(self.registry.current_version())
            if self._scorer is None:
                raise RegistryError(self._error or f"no model published in {self.registry.root}")
        elif time.monotonic() - self._last_check > self.check_interval_s:
            self.reload_if_moved(background=True)
        return self._scorer

    def reload_if_moved(self, background: bool = True) -> threading.Thread | None:
        """Load the version the pointer names if it is neither served nor known to be broken."""
        self._last_check = time.monotonic()
        wanted = self.registry.current_version()
        serving = self._scorer.version if self._scorer else None
        if wanted is None or wanted in (serving, self._failed_version):
            return None
        if not background:
            self._load(wanted)
            return None
        thread = threading.Thread(target=self._load, args=(wanted,), name="model-reload", daemon=True)
        thread.start()
        return thread

    def state(self) -> ModelState:
        """Return the served version and the last load error, if any."""
        scorer = self._scorer
        return ModelState(
            version=scorer.version if scorer else None,
            vocabulary_size=scorer.vocabulary_size if scorer else None,
            error=self._error,
            failed_version=self._failed_version,
        )

    def _load(self, version: str | None) -> None:
        if version is None:
            return
        # With nothing to serve yet, wait for a load in progress; otherwise leave it to that thread, and the
        # next pointer check picks up whatever it missed.
        if not self._loading.acquire(blocking=self._scorer is None):
            return
        if self._scorer is not None and self._scorer.version == version:
            self._loading.release()
            return
        try:
            started = time.monotonic()
            loaded = self.registry.load(version)
            self._scorer = loaded.scorer()
            self._error = self._failed_version = None
            log.info("model %s loaded in %.1f s", version, time.monotonic() - started)
        except (RegistryError, OSError, ValueError) as exc:
            self._error, self._failed_version = str(exc), version
            log.error("model %s failed to load, still serving %s: %s", version, self.state().version, exc)
        finally:
            self._loading.release()

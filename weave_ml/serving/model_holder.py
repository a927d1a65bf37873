"""The model a scoring process serves: loaded once, swapped for a newly published version without a pause.

During a rollout (weave_ml.registry.rollout_record) the process also holds the candidate, loaded and swapped the
same way.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from weave_ml.registry.rollout_record import Rollout
from weave_ml.registry.store import Registry, RegistryError
from weave_ml.rollouts.dual_scoring import RolloutScorer
from weave_ml.rollouts.evidence import EvidenceStore

if TYPE_CHECKING:
    from weave_ml.model.scoring import Scorer

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ModelState:
    """What a process serves and, when the newest version would not load, why."""

    version: str | None
    vocabulary_size: int | None
    error: str | None
    failed_version: str | None
    candidate_version: str | None = None  # the rollout candidate this process scores with, if any
    candidate_error: str | None = None  # why the rollout's candidate could not be loaded


class ModelHolder:
    """Holds the current :class:`Scorer` of one process.

    A reload is requested by a broadcast or noticed by checking the registry pointer (at most every
    ``check_interval_s``). The new version is loaded in a background thread while the old one keeps
    scoring, then swapped in with one assignment, so no request waits for or fails on a reload. A version
    that fails to load is logged, reported by :meth:`state`, and not tried again until the pointer moves.
    """

    def __init__(
        self, registry: Registry, check_interval_s: float = 2.0, evidence: EvidenceStore | None = None
    ) -> None:
        self.registry = registry
        self.check_interval_s = check_interval_s
        self.evidence = evidence
        self._scorer: Scorer | None = None
        self._rollout: Rollout | None = None
        self._candidate: Scorer | None = None
        self._candidate_error: str | None = None
        self._candidate_failed: str | None = None
        self._candidate_loading = threading.Lock()
        self._error: str | None = None
        self._failed_version: str | None = None
        self._loading = threading.Lock()
        self._last_check = 0.0

    def scorer(self) -> Scorer | RolloutScorer:
        """Return the scorer to use now; the first call loads the current version in the caller's thread.

        During a rollout whose candidate is loaded, that is a scorer of both versions that answers as the rollout says.
        """
        if self._scorer is None:
            self._load(self.registry.current_version())
            if self._scorer is None:
                raise RegistryError(self._error or f"no model published in {self.registry.root}")
        elif time.monotonic() - self._last_check > self.check_interval_s:
            self.reload_if_moved(background=True)
        current, candidate, rollout = self._scorer, self._candidate, self._rollout
        if (
            rollout is None
            or candidate is None
            or self.evidence is None
            or candidate.version != rollout.candidate
            or candidate.version == current.version
        ):
            return current
        return RolloutScorer(current, candidate, rollout, self.evidence)

    def reload_if_moved(self, background: bool = True) -> threading.Thread | None:
        """Load the version the pointer names if it is neither served nor known to be broken, and follow the rollout."""
        self._last_check = time.monotonic()
        wanted = self.registry.current_version()
        serving = self._scorer.version if self._scorer else None
        load_current = wanted is not None and wanted not in (serving, self._failed_version)
        # A process that records no evidence (the trainer's) has no use for a candidate.
        candidate = self._follow_rollout() if self.evidence is not None else None
        if not load_current and candidate is None:
            return None

        def load() -> None:
            if load_current:
                self._load(wanted)
            if candidate is not None:
                self._load_candidate(candidate)

        if not background:
            load()
            return None
        thread = threading.Thread(target=load, name="model-reload", daemon=True)
        thread.start()
        return thread

    def _follow_rollout(self) -> str | None:
        """Take the rollout record as it is now; return its candidate if that still needs loading."""
        try:
            rollout = self.registry.rollout()
        except RegistryError as exc:
            log.error("rollout ignored: %s", exc)
            rollout = None
        self._rollout = rollout
        if rollout is None:
            self._candidate = None
            self._candidate_error = self._candidate_failed = None
            return None
        loaded = self._candidate.version if self._candidate else None
        if rollout.candidate in (loaded, self._candidate_failed):
            return None
        return rollout.candidate

    def _load_candidate(self, version: str) -> None:
        if not self._candidate_loading.acquire(blocking=False):
            return  # another thread loads it; the next check sees the result
        try:
            started = time.monotonic()
            self._candidate = self.registry.load(version).scorer()
            self._candidate_error = self._candidate_failed = None
            log.info("rollout candidate %s loaded in %.1f s", version, time.monotonic() - started)
        except (RegistryError, OSError, ValueError) as exc:
            self._candidate = None
            self._candidate_error, self._candidate_failed = str(exc), version
            log.error("rollout candidate %s failed to load, answering with the current model: %s", version, exc)
        finally:
            self._candidate_loading.release()

    def state(self) -> ModelState:
        """Return the served version and the last load error, if any."""
        scorer, rollout = self._scorer, self._rollout
        return ModelState(
            version=scorer.version if scorer else None,
            vocabulary_size=scorer.vocabulary_size if scorer else None,
            error=self._error,
            failed_version=self._failed_version,
            candidate_version=self._candidate.version if self._candidate and self._rollout else None,
            # Only about the rollout in progress: an error of an earlier candidate says nothing now.
            candidate_error=self._candidate_error if rollout and self._candidate_failed == rollout.candidate else None,
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

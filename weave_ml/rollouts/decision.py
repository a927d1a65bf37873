"""Whether a rollout goes on, is aborted or is promoted, from its evidence: pure logic, no I/O.

Abort when the current version is no longer the one the rollout began against, or when the candidate leaves the
bounds on what the workers measured (error rate, latency against the current model's, positive rate against the
current model's on the same messages); hold while the current model's side of a comparison is not measured yet;
promote, when that is enabled, once both versions have enough reported messages and the candidate does no worse than
the current model on them (precision and recall). A missing comparison is never read as "no worse".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

CONTINUE = "continue"
ABORT = "abort"
PROMOTE = "promote"


@dataclass(frozen=True)
class VersionStats:
    """What the workers measured of one version during a rollout."""

    scored: int = 0  # messages it scored
    answered: int = 0  # of which it gave the answer
    positive: int = 0  # of which it flagged (at its own medium threshold)
    errors: int = 0  # messages it failed to score
    seconds: float = 0.0  # time spent scoring them

    @property
    def positive_rate(self) -> float | None:
        return self.positive / self.scored if self.scored else None

    @property
    def error_rate(self) -> float | None:
        tried = self.scored + self.errors
        return self.errors / tried if tried else None

    @property
    def latency_s(self) -> float | None:
        """Mean scoring time per message."""
        return self.seconds / self.scored if self.scored else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "scored": self.scored,
            "answered": self.answered,
            "positive": self.positive,
            "errors": self.errors,
            "positive_rate": self.positive_rate,
            "error_rate": self.error_rate,
            "latency_ms": None if self.latency_s is None else self.latency_s * 1000,
        }


@dataclass(frozen=True)
class Confusion:
    """One version's decisions on reported messages against their reported labels."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0
    answered: int = 0  # reported messages this version answered

    @property
    def reported(self) -> int:
        return self.tp + self.fp + self.fn + self.tn

    @property
    def precision(self) -> float | None:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "reported": self.reported,
            "answered": self.answered,
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "tn": self.tn,
            "precision": self.precision,
            "recall": self.recall,
        }


@dataclass(frozen=True)
class Bounds:
    """Where a candidate must stay (ROLLOUT_* settings)."""

    min_scored: int = 200  # no verdict on fewer messages: a handful says nothing about rates
    max_error_rate: float = 0.01
    max_latency_ratio: float = 3.0  # candidate's mean scoring time per message over the current model's
    max_positive_rate_change: float = 0.05  # absolute, on the same messages
    auto_promote: bool = False
    min_reports: int = 100  # reported messages the candidate scored before it may be promoted
    tolerance: float = 0.0  # how much lower the candidate's precision or recall may be and still be promoted


@dataclass(frozen=True)
class Decision:
    action: str  # CONTINUE, ABORT or PROMOTE
    reason: str


def _no_worse(candidate: float | None, current: float | None, tolerance: float) -> bool:
    # Recall with no phishing reported to either version is no evidence against either; for one version only, the
    # comparison is missing, which is not "no worse".
    if candidate is None or current is None:
        return candidate is None and current is None
    return candidate >= current - tolerance


def _compared_precision(confusion: Confusion) -> float | None:
    """Precision as promotion compares it: a version that flagged none of its reported messages raised no false
    alarm, so it is as precise as can be (what it missed counts against its recall)."""
    if confusion.tp + confusion.fp == 0:
        return 1.0 if confusion.reported else None
    return confusion.precision


def judge(
    candidate: VersionStats,
    current: VersionStats,
    reported: Mapping[str, Confusion] | None,
    *,
    candidate_version: str,
    current_version: str | None,
    started_against: str | None,
    bounds: Bounds,
) -> Decision:
    """Return what to do with a rollout now; ``started_against`` is the current version when the rollout began."""
    if (current_version or None) != (started_against or None):
        # Abort, not hold: the evidence compares the candidate with a model that no longer answers (someone rolled
        # back or made another version current), the new current model's side starts from nothing, and holding would
        # leave a canary answering its share beside a model it was never measured against until someone noticed.
        # An abort costs only a new start against the new current version; a promotion on the old evidence could
        # replace a better model.
        return Decision(
            ABORT,
            f"the current version changed from {started_against or 'none'} to {current_version or 'none'} since the "
            f"rollout began: its evidence compares the candidate with a model that no longer answers; start a new "
            f"rollout to compare it with {current_version or 'the current version'}",
        )
    tried = candidate.scored + candidate.errors
    if tried < bounds.min_scored:
        return Decision(CONTINUE, f"{tried} of {bounds.min_scored} messages scored by the candidate before a verdict")
    error_rate = candidate.error_rate or 0.0
    if error_rate > bounds.max_error_rate:
        return Decision(ABORT, f"candidate error rate {error_rate:.2%} above {bounds.max_error_rate:.2%}")
    current_latency, current_rate = current.latency_s, current.positive_rate
    if current.scored < bounds.min_scored or not current_latency or current_rate is None:
        # Without the current model's measurements the latency and positive-rate bounds cannot be checked: hold, never
        # read a missing comparison as a pass.
        return Decision(
            CONTINUE,
            f"holding: the current model's scoring time and positive rate are not measured on {bounds.min_scored} "
            f"messages of this rollout yet ({current.scored} scored), so the candidate's cannot be compared with them",
        )
    # The candidate scored at least one message here: it tried min_scored and its error rate is within its bound.
    candidate_latency, candidate_rate = candidate.latency_s or 0.0, candidate.positive_rate or 0.0
    ratio = candidate_latency / current_latency
    if ratio > bounds.max_latency_ratio:
        return Decision(
            ABORT,
            f"candidate scoring time {candidate_latency * 1000:.3f} ms per message is {ratio:.1f}x the current "
            f"model's (bound {bounds.max_latency_ratio:g}x)",
        )
    if abs(candidate_rate - current_rate) > bounds.max_positive_rate_change:
        return Decision(
            ABORT,
            f"candidate positive rate {candidate_rate:.2%} against the current model's "
            f"{current_rate:.2%} (bound ±{bounds.max_positive_rate_change:.2%})",
        )
    if not bounds.auto_promote:
        return Decision(CONTINUE, "within bounds; automatic promotion is off")
    mine = (reported or {}).get(candidate_version, Confusion())
    theirs = (reported or {}).get(current_version or "", Confusion())
    if mine.reported < bounds.min_reports:
        return Decision(CONTINUE, f"within bounds; {mine.reported} of {bounds.min_reports} reported messages")
    if theirs.reported < bounds.min_reports:
        # Both versions score every message of a rollout, so this is rare: what the current model did on the reports
        # is unknown, and an unknown is not "no worse".
        return Decision(
            CONTINUE,
            f"within bounds; the current model has {theirs.reported} of {bounds.min_reports} reported messages to "
            "compare the candidate with",
        )
    if not (
        _no_worse(_compared_precision(mine), _compared_precision(theirs), bounds.tolerance)
        and _no_worse(mine.recall, theirs.recall, bounds.tolerance)
    ):
        return Decision(
            CONTINUE,
            f"within bounds but worse on {mine.reported} reported messages: precision {_pct(mine.precision)} against "
            f"{_pct(theirs.precision)}, recall {_pct(mine.recall)} against {_pct(theirs.recall)}",
        )
    return Decision(
        PROMOTE,
        f"no worse on {mine.reported} reported messages: precision {_pct(mine.precision)} against "
        f"{_pct(theirs.precision)}, recall {_pct(mine.recall)} against {_pct(theirs.recall)}",
    )


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2%}"

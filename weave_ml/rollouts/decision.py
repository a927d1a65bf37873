"""Whether a rollout goes on, is aborted or is promoted, from its evidence: pure logic, no I/O.

Abort when the candidate leaves the bounds on what the workers measured (error rate, latency against the current
model's, positive rate against the current model's on the same messages); promote, when that is enabled, once the
candidate has enough reported messages and does no worse than the current model on them (precision and recall).
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
    # A rate with nothing to measure (no message flagged, no phishing reported) is no evidence against either.
    if candidate is None or current is None:
        return candidate is not None or current is None
    return candidate >= current - tolerance


def judge(
    candidate: VersionStats,
    current: VersionStats,
    reported: Mapping[str, Confusion] | None,
    *,
    candidate_version: str,
    current_version: str,
    bounds: Bounds,
) -> Decision:
    """Return what to do with a rollout now."""
    tried = candidate.scored + candidate.errors
    if tried < bounds.min_scored:
        return Decision(CONTINUE, f"{tried} of {bounds.min_scored} messages scored by the candidate before a verdict")
    error_rate = candidate.error_rate or 0.0
    if error_rate > bounds.max_error_rate:
        return Decision(ABORT, f"candidate error rate {error_rate:.2%} above {bounds.max_error_rate:.2%}")
    if candidate.latency_s is not None and current.latency_s:
        ratio = candidate.latency_s / current.latency_s
        if ratio > bounds.max_latency_ratio:
            return Decision(
                ABORT,
                f"candidate scoring time {candidate.latency_s * 1000:.3f} ms per message is {ratio:.1f}x the current "
                f"model's (bound {bounds.max_latency_ratio:g}x)",
            )
    if candidate.positive_rate is not None and current.positive_rate is not None:
        change = candidate.positive_rate - current.positive_rate
        if abs(change) > bounds.max_positive_rate_change:
            return Decision(
                ABORT,
                f"candidate positive rate {candidate.positive_rate:.2%} against the current model's "
                f"{current.positive_rate:.2%} (bound ±{bounds.max_positive_rate_change:.2%})",
            )
    if not bounds.auto_promote:
        return Decision(CONTINUE, "within bounds; automatic promotion is off")
    mine = (reported or {}).get(candidate_version, Confusion())
    theirs = (reported or {}).get(current_version, Confusion())
    if mine.reported < bounds.min_reports:
        return Decision(CONTINUE, f"within bounds; {mine.reported} of {bounds.min_reports} reported messages")
    if not (
        _no_worse(mine.precision, theirs.precision, bounds.tolerance)
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

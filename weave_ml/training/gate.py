"""Whether a retrained candidate may be stored, from its measurements and the current model's: pure logic, no I/O.

Refuse a candidate that flags more of the everyday evaluation part than :data:`EVERYDAY_FLAGGED_CEILING`, whatever
the current model does, or one that does worse than the current model beyond a tolerance: a lower MCC on all
held-out data, on the golden set or on the whole regression set (golden set, everyday evaluation part, frozen admin
verdicts), or agreeing with fewer frozen admin verdicts: those are few, and a campaign that poisons its own lures
shows there first. Without a current model, only the everyday check is made.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from weave_ml.model.predictions import DEFAULT_SENSITIVITY
from weave_ml.training.evaluation import EverydayFlagged, Metrics

# A candidate flagging more of the everyday evaluation part than this at medium sensitivity is refused, whatever
# its MCC: ordinary messages must not draw warnings (the target is 0.3%; the margin absorbs sampling noise).
EVERYDAY_FLAGGED_CEILING = 0.005

EVERYDAY = "everyday_evaluation"
VERDICTS = "verdicts"
FLAGGED_AT_MEDIUM = "flagged_at_medium"
MCC = "mcc"
ACCURACY = "accuracy"


@dataclass(frozen=True)
class Measurement:
    """One model's metrics at its own medium-sensitivity threshold on every part of a retrain's evaluation."""

    held_out: Metrics  # the golden set and the fresh reports held out of training
    golden: Metrics
    fresh_reports: Metrics
    everyday_evaluation: EverydayFlagged
    regression: Metrics  # the golden set, the everyday evaluation part and the frozen admin verdicts together
    verdicts: Metrics | None  # the frozen admin verdicts; None while none is frozen

    def to_dict(self) -> dict[str, Any]:
        return {
            "held_out": self.held_out.to_dict(),
            "golden": self.golden.to_dict(),
            "fresh_reports": self.fresh_reports.to_dict(),
            EVERYDAY: self.everyday_evaluation.to_dict(),
            "regression": self.regression.to_dict(),
            VERDICTS: self.verdicts.to_dict() if self.verdicts is not None else {"n": 0},
        }


@dataclass(frozen=True)
class Check:
    """One figure the gate held the candidate to, rounded as the report shows it."""

    data: str  # the part measured: everyday_evaluation, held_out, golden, regression or verdicts
    metric: str  # flagged_at_medium, mcc or accuracy
    candidate: float
    passed: bool
    current: float | None = None  # the current model's figure, when compared with it
    ceiling: float | None = None  # the bound, for the everyday check
    n: int | None = None  # frozen admin verdicts measured, for their check

    def to_dict(self) -> dict[str, Any]:
        shown = {
            "data": self.data,
            "metric": self.metric,
            "n": self.n,
            "candidate": self.candidate,
            "current": self.current,
            "ceiling": self.ceiling,
            "passed": self.passed,
        }
        return {key: value for key, value in shown.items() if value is not None}


@dataclass(frozen=True)
class Decision:
    """Whether the candidate passed, every check made, and why in words an operator can read."""

    passed: bool
    tolerance: float
    checks: tuple[Check, ...]
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "passed": self.passed,
            "tolerance": self.tolerance,
            "checks": [check.to_dict() for check in self.checks],
            "reason": self.reason,
        }


def judge(candidate: Measurement, current: Measurement | None, tolerance: float) -> Decision:
    """Pass the candidate unless it flags ordinary text, or does worse than the current model beyond ``tolerance``."""
    checks = (_everyday(candidate), *_comparisons(candidate, current, tolerance))
    refusals = [_refusal(check, tolerance) for check in checks if not check.passed]
    if refusals:
        return Decision(False, tolerance, checks, "; ".join(refusals))
    if current is None:
        return Decision(
            True, tolerance, checks, "no current model to compare with; everyday text flagged within the ceiling"
        )
    return Decision(
        True,
        tolerance,
        checks,
        f"not worse than the current model beyond {tolerance:g} MCC; everyday text flagged within the ceiling",
    )


def _everyday(candidate: Measurement) -> Check:
    flagged = candidate.everyday_evaluation.flagged(DEFAULT_SENSITIVITY)
    return Check(
        EVERYDAY,
        FLAGGED_AT_MEDIUM,
        round(flagged, 5),
        flagged <= EVERYDAY_FLAGGED_CEILING,
        ceiling=EVERYDAY_FLAGGED_CEILING,
    )


def _comparisons(candidate: Measurement, current: Measurement | None, tolerance: float) -> list[Check]:
    if current is None:
        return []
    parts = {
        "held_out": (candidate.held_out, current.held_out),
        "golden": (candidate.golden, current.golden),
        "regression": (candidate.regression, current.regression),
    }
    checks = [
        Check(part, MCC, round(mine.mcc, 4), mine.mcc >= theirs.mcc - tolerance, current=round(theirs.mcc, 4))
        for part, (mine, theirs) in parts.items()
    ]
    # Both models are measured on the same frozen verdicts: there are none on either side, or as many on both.
    if candidate.verdicts is not None and current.verdicts is not None:
        mine, theirs = candidate.verdicts, current.verdicts
        checks.append(
            Check(
                VERDICTS,
                ACCURACY,
                round(mine.accuracy, 4),
                mine.accuracy >= theirs.accuracy - tolerance,
                current=round(theirs.accuracy, 4),
                n=mine.n,
            )
        )
    return checks


def _refusal(check: Check, tolerance: float) -> str:
    if check.metric == FLAGGED_AT_MEDIUM:
        return (
            f"it flags {check.candidate:.2%} of the everyday evaluation part at medium sensitivity "
            f"(ceiling {EVERYDAY_FLAGGED_CEILING:.2%})"
        )
    if check.data == VERDICTS:
        return (
            f"it agrees with {check.candidate:.2%} of the {check.n} frozen admin verdicts, below the current "
            f"model's {check.current:.2%} - {tolerance:g}"
        )
    return f"MCC on {check.data} {check.candidate:.4f} is below the current model's {check.current:.4f} - {tolerance:g}"

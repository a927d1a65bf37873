"""Operating points chosen on held-out negatives: the threshold of each sensitivity and the risk bands."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from weave_ml.model.datasets import LabelledMessage
from weave_ml.model.predictions import SENSITIVITY_LEVELS, OperatingPoints

# Largest share of held-out real normal messages of any one kind (everyday text, reports) a sensitivity may flag.
FLAG_RATES = {"low": 0.001, "medium": 0.003, "high": 0.01}
# Kinds of normal messages written from the seed corpus's templates rather than found: genuine-looking notices
# worded like the lures. They are a guard, not the measure: a threshold may flag up to GUARD_RATES of them.
SYNTHETIC_KINDS = frozenset({"seed"})
# Ten times FLAG_RATES at low and high, about seventeen times at medium. The hard negatives are written from the
# lures' own templates (same words, same senders), so a real rate on them binds first: at 0.3 % of them medium
# caught 0.715 of a held-out set of real Korean lures (issue 25) while flagging 0.009 % of everyday text. The
# guard still stops a model that flags one genuine-looking notice in twenty at the default sensitivity.
GUARD_RATES = {"low": 0.01, "medium": 0.05, "high": 0.10}
# A kind of negatives with fewer held-out messages says little about its rate; it joins the others instead.
MIN_POOL = 100


def kind_of(message: LabelledMessage) -> str:
    """Return the kind of data a message comes from: the part of its source before ``:`` (seed, everyday, report)."""
    return message.source.partition(":")[0] or "unknown"


def negative_pools(messages: Sequence[LabelledMessage], scores: np.ndarray) -> dict[str, np.ndarray]:
    """Group the scores of normal messages by kind.

    Kinds smaller than :data:`MIN_POOL` are joined as ``other``, which counts only when it reaches that size
    itself or is all there is: a handful of messages (a few mislabelled reports) must not set a threshold.
    """
    by_kind: dict[str, list[float]] = {}
    for message, score in zip(messages, scores, strict=True):
        if message.label == 0:
            by_kind.setdefault(kind_of(message), []).append(float(score))
    pools = {kind: values for kind, values in by_kind.items() if len(values) >= MIN_POOL}
    other = [score for kind, values in by_kind.items() if len(values) < MIN_POOL for score in values]
    if other and (len(other) >= MIN_POOL or not pools):
        pools["other"] = other
    return {kind: np.asarray(values) for kind, values in sorted(pools.items())}


def threshold_for(scores: np.ndarray, rate: float) -> float:
    """Return the lowest threshold at which at most ``rate`` of ``scores`` reach it."""
    allowed = int(np.floor(rate * len(scores)))
    ranked = np.sort(scores)[::-1]
    if allowed >= len(ranked):
        return 0.0
    # Just above the first score that must not be flagged.
    return float(min(1.0, np.nextafter(ranked[allowed], np.inf)))


def is_synthetic(kind: str) -> bool:
    """Whether a kind of normal messages is synthetic (a guard) rather than real text (a measure)."""
    return kind in SYNTHETIC_KINDS


@dataclass(frozen=True)
class Choice:
    """Operating points and, per sensitivity, the kind of held-out normal messages that fixed its threshold.

    ``set_by`` names the kind whose limit bound (``everyday``, ``report``, ``other``, or ``seed`` when the guard
    of synthetic hard negatives did); ``limits`` gives, per kind, the share of it that each sensitivity may flag.
    """

    points: OperatingPoints
    set_by: Mapping[str, str]
    limits: Mapping[str, Mapping[str, float]]


def limits_for(pools: Mapping[str, np.ndarray]) -> dict[str, dict[str, float]]:
    """Return, per kind, the share each sensitivity may flag: :data:`FLAG_RATES` for real kinds, the looser
    :data:`GUARD_RATES` for synthetic ones. Where no real kind is held out, the synthetic kinds hold FLAG_RATES:
    without real text to measure on, the guard is all there is and must not be loosened.
    """
    real = any(not is_synthetic(kind) for kind in pools)
    return {kind: dict(GUARD_RATES if real and is_synthetic(kind) else FLAG_RATES) for kind in pools}


def choose(pools: Mapping[str, np.ndarray]) -> Choice:
    """Return, per sensitivity, the lowest threshold at which every kind of held-out negatives keeps its limit.

    Real text (the everyday part held out of training, reports) fixes the thresholds at :data:`FLAG_RATES`: it is
    what the model will be sent. The synthetic hard negatives are a guard at :data:`GUARD_RATES`; they set a
    threshold only when the real rate would flag more of them than that. Each kind holds its limit on its own:
    a threshold set on the union would follow the many everyday texts and ignore the few notices.
    A message flagged even at ``low`` sensitivity is of high risk; one flagged only at ``high``, of medium risk.
    """
    if not pools:
        raise ValueError("operating points need held-out normal messages")
    limits = limits_for(pools)
    thresholds: dict[str, float] = {}
    set_by: dict[str, str] = {}
    for level in SENSITIVITY_LEVELS:
        by_kind = {kind: threshold_for(scores, limits[kind][level]) for kind, scores in pools.items()}
        # The binding kind; on a tie a real kind is named, as the guard then adds nothing.
        kind = max(by_kind, key=lambda k: (by_kind[k], not is_synthetic(k)))
        thresholds[level], set_by[level] = by_kind[kind], kind
    # Each kind's threshold falls as its limit rises, so the thresholds keep low >= medium >= high.
    points = OperatingPoints(
        low=thresholds["low"],
        medium=thresholds["medium"],
        high=thresholds["high"],
        risk_high=thresholds["low"],
        risk_medium=thresholds["high"],
    )
    return Choice(points, set_by, limits)


def report_by_sensitivity(
    points: OperatingPoints, messages: Sequence[LabelledMessage], scores: np.ndarray
) -> dict[str, dict[str, Any]]:
    """Per sensitivity: threshold, phishing caught (overall and by source) and negatives flagged by kind."""
    labels = np.array([m.label for m in messages], dtype=int)
    sources = np.array([m.source or "unknown" for m in messages])
    kinds = np.array([kind_of(m) for m in messages])
    report: dict[str, dict[str, Any]] = {}
    for level in SENSITIVITY_LEVELS:
        threshold = points.threshold(level)
        flagged = scores >= threshold
        phishing = labels == 1
        report[level] = {
            "threshold": threshold,
            "phishing_caught": _share(flagged[phishing]),
            "phishing_caught_by_source": {
                source: _share(flagged[phishing & (sources == source)]) for source in sorted(set(sources[phishing]))
            },
            "normal_flagged_by_kind": {
                kind: _share(flagged[~phishing & (kinds == kind)]) for kind in sorted(set(kinds[~phishing]))
            },
        }
    return report


def _share(values: np.ndarray) -> float | None:
    return float(values.mean()) if len(values) else None

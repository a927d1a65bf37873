"""Operating points chosen on held-out negatives: the threshold of each sensitivity and the risk bands."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from weave_ml.model.datasets import LabelledMessage
from weave_ml.model.predictions import SENSITIVITY_LEVELS, OperatingPoints

# Largest share of held-out normal messages of any one kind that a sensitivity may flag.
FLAG_RATES = {"low": 0.001, "medium": 0.003, "high": 0.01}
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


def choose(pools: Mapping[str, np.ndarray]) -> OperatingPoints:
    """Return the points at which no kind of held-out negatives is flagged more often than :data:`FLAG_RATES` says.

    Each kind must hold its own rate: real everyday text is many and easy, synthetic hard negatives (genuine
    notices worded like lures) are few and hard, and a threshold set on their union would follow the many.
    A message flagged even at ``low`` sensitivity is of high risk; one flagged only at ``high``, of medium risk.
    """
    if not pools:
        raise ValueError("operating points need held-out normal messages")
    thresholds = {
        level: max(threshold_for(scores, FLAG_RATES[level]) for scores in pools.values())
        for level in SENSITIVITY_LEVELS
    }
    return OperatingPoints(
        low=thresholds["low"],
        medium=thresholds["medium"],
        high=thresholds["high"],
        risk_high=thresholds["low"],
        risk_medium=thresholds["high"],
    )


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

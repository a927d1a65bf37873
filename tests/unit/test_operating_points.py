"""Operating points: stored per version, read back (old versions too), chosen on held-out negatives of each kind."""

from __future__ import annotations

import json

import numpy as np
import pytest

from weave_ml.model import calibration
from weave_ml.model.datasets import LabelledMessage
from weave_ml.model.predictions import LEGACY_POINTS, OperatingPoints, Score, to_prediction

POINTS = OperatingPoints(low=0.4, medium=0.2, high=0.1, risk_high=0.4, risk_medium=0.1)


def test_metadata_round_trip():
    metadata = json.loads(json.dumps(POINTS.to_metadata()))
    assert metadata == {
        "thresholds": {"low": 0.4, "medium": 0.2, "high": 0.1},
        "risk_bands": {"high": 0.4, "medium": 0.1},
    }
    assert OperatingPoints.from_metadata(metadata) == POINTS


def test_old_versions_keep_their_constant_thresholds():
    old = {"version": "20261126-071402-4829131a2f", "thresholds": {"low": 0.7, "medium": 0.5, "high": 0.3}}
    points = OperatingPoints.from_metadata(old)
    assert points == LEGACY_POINTS
    assert [points.threshold(level) for level in ("low", "medium", "high")] == [0.7, 0.5, 0.3]
    assert [points.risk_level(p) for p in (0.39, 0.4, 0.69, 0.7)] == ["low", "medium", "medium", "high"]


@pytest.mark.parametrize(
    "metadata",
    [
        {"thresholds": {"low": 0.7, "medium": 0.5}},
        {"thresholds": {"low": 0.3, "medium": 0.5, "high": 0.7}},
        {"thresholds": {"low": 1.5, "medium": 0.5, "high": 0.3}},
        {"thresholds": {"low": "0.7", "medium": 0.5, "high": 0.3}},
        {"thresholds": [0.7, 0.5, 0.3]},
    ],
)
def test_malformed_points_are_a_clear_error(metadata):
    with pytest.raises(ValueError, match="operating points"):
        OperatingPoints.from_metadata(metadata)


def test_decide_uses_the_versions_points():
    score = Score("sha256:00", 0.15, (), "v2")
    assert [to_prediction(score, level, POINTS)["is_phishing"] for level in ("low", "medium", "high")] == [
        False,
        False,
        True,
    ]
    assert to_prediction(score, "medium", POINTS)["threshold"] == 0.2
    assert to_prediction(score, "medium", POINTS)["risk_level"] == "medium"
    assert to_prediction(score, "medium", LEGACY_POINTS)["risk_level"] == "low"
    with pytest.raises(ValueError, match="unknown sensitivity"):
        to_prediction(score, "extreme", POINTS)


def test_threshold_flags_at_most_the_rate():
    scores = np.linspace(0.0, 1.0, 1001)  # 1,001 distinct scores
    for rate in (0.001, 0.003, 0.01, 0.1):
        threshold = calibration.threshold_for(scores, rate)
        assert np.sum(scores >= threshold) <= rate * len(scores)
        # ...and it is the lowest such threshold: one step down flags one more.
        assert np.sum(scores >= np.max(scores[scores < threshold])) > rate * len(scores)


def _negatives(kind: str, scores: list[float]) -> list[tuple[LabelledMessage, float]]:
    return [(LabelledMessage(f"{kind} {i}", 0, None, f"{kind}:x"), s) for i, s in enumerate(scores)]


def test_every_kind_of_negatives_holds_its_own_rate():
    rng = np.random.default_rng(0)
    easy = _negatives("everyday", list(rng.uniform(0.0, 0.05, 5000)))
    hard = _negatives("seed", list(rng.uniform(0.0, 0.6, 400)))
    phishing = [(LabelledMessage(f"p{i}", 1, None, "seed:parcel"), 0.99) for i in range(50)]
    messages, scores = zip(*(easy + hard + phishing), strict=True)
    pools = calibration.negative_pools(messages, np.array(scores))
    assert sorted(pools) == ["everyday", "seed"]
    points = calibration.choose(pools)
    # The few hard negatives set the thresholds: on the easy text alone they would sit below 0.05.
    assert points.high > 0.5 and points.low >= points.medium >= points.high
    for level, rate in calibration.FLAG_RATES.items():
        for pool in pools.values():
            assert np.mean(pool >= points.threshold(level)) <= rate
    assert (points.risk_high, points.risk_medium) == (points.low, points.high)


def test_small_kinds_are_pooled_and_do_not_set_thresholds_alone():
    messages, scores = zip(
        *(_negatives("seed", [0.1] * 300) + _negatives("report", [0.95] * 3)),
        strict=True,
    )
    pools = calibration.negative_pools(messages, np.array(scores))
    assert sorted(pools) == ["seed"]
    only_small = calibration.negative_pools(messages[-3:], np.array(scores[-3:]))
    assert sorted(only_small) == ["other"]

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


def _pools(*groups: list[tuple[LabelledMessage, float]]) -> dict[str, np.ndarray]:
    messages, scores = zip(*(pair for group in groups for pair in group), strict=True)
    return calibration.negative_pools(messages, np.array(scores))


def test_real_text_fixes_the_thresholds_and_synthetic_negatives_are_a_looser_guard():
    rng = np.random.default_rng(0)
    easy = _negatives("everyday", list(rng.uniform(0.0, 0.05, 5000)))
    # Hard negatives mostly low, a tail of 3 % reaching up to 0.6: under the guard's 5 % at medium, over 1 % at low.
    hard = _negatives("seed", list(rng.uniform(0.0, 0.02, 388)) + list(rng.uniform(0.1, 0.6, 12)))
    phishing = [(LabelledMessage(f"p{i}", 1, None, "seed:parcel"), 0.99) for i in range(50)]
    messages, scores = zip(*(easy + hard + phishing), strict=True)
    pools = calibration.negative_pools(messages, np.array(scores))
    assert sorted(pools) == ["everyday", "seed"]
    choice = calibration.choose(pools)
    points = choice.points
    # Medium and high: the everyday text's own rates, below 0.05, whatever the hard negatives' tail.
    assert choice.set_by == {"low": "seed", "medium": "everyday", "high": "everyday"}
    assert points.medium == calibration.threshold_for(pools["everyday"], calibration.FLAG_RATES["medium"]) < 0.05
    assert points.high == calibration.threshold_for(pools["everyday"], calibration.FLAG_RATES["high"])
    # Low: 3 % of the hard negatives sit above the everyday threshold, more than the guard's 1 %, so the guard binds.
    assert points.low == calibration.threshold_for(pools["seed"], calibration.GUARD_RATES["low"]) > 0.1
    assert points.low >= points.medium >= points.high
    for level in calibration.FLAG_RATES:
        assert np.mean(pools["everyday"] >= points.threshold(level)) <= calibration.FLAG_RATES[level]
        assert np.mean(pools["seed"] >= points.threshold(level)) <= calibration.GUARD_RATES[level]
    # The old rule (every kind at FLAG_RATES) would have let the hard negatives' tail set medium far higher.
    assert calibration.threshold_for(pools["seed"], calibration.FLAG_RATES["medium"]) > 0.1 > points.medium
    assert choice.limits == {"everyday": calibration.FLAG_RATES, "seed": calibration.GUARD_RATES}
    assert (points.risk_high, points.risk_medium) == (points.low, points.high)


def test_a_guard_that_binds_is_named():
    rng = np.random.default_rng(1)
    easy = _negatives("everyday", list(rng.uniform(0.0, 0.05, 5000)))
    hard = _negatives("seed", list(rng.uniform(0.0, 0.6, 400)))  # 5 % of them above 0.57: the guard binds everywhere
    choice = calibration.choose(_pools(easy, hard))
    assert choice.set_by == {"low": "seed", "medium": "seed", "high": "seed"}
    assert choice.points.medium > 0.5


def test_without_real_text_the_synthetic_kind_holds_the_real_rates():
    rng = np.random.default_rng(2)
    hard = _negatives("seed", list(rng.uniform(0.0, 1.0, 1000)))
    choice = calibration.choose(_pools(hard))
    assert choice.limits == {"seed": calibration.FLAG_RATES}
    assert choice.set_by == {"low": "seed", "medium": "seed", "high": "seed"}
    assert np.isclose(choice.points.medium, 0.997, atol=0.003)


def test_reports_are_real_text_and_may_bind():
    rng = np.random.default_rng(3)
    easy = _negatives("everyday", list(rng.uniform(0.0, 0.05, 5000)))
    reports = _negatives("report", list(rng.uniform(0.0, 0.3, 500)))
    choice = calibration.choose(_pools(easy, reports))
    assert choice.set_by == {"low": "report", "medium": "report", "high": "report"}
    assert choice.limits["report"] == calibration.FLAG_RATES


def test_metadata_names_the_set_that_fixed_each_threshold():
    from weave_ml.training.train import thresholds_set_by

    fixed = {"low": "seed", "medium": "everyday", "high": "everyday"}
    report = {level: {"threshold": 0.1, "set_by": kind} for level, kind in fixed.items()}
    assert thresholds_set_by({"operating_points": report}) == fixed
    assert thresholds_set_by({"operating_points": {"medium": {"threshold": 0.1}}}) is None  # metrics of old versions
    assert thresholds_set_by({}) is None


def test_small_kinds_are_pooled_and_do_not_set_thresholds_alone():
    messages, scores = zip(
        *(_negatives("seed", [0.1] * 300) + _negatives("report", [0.95] * 3)),
        strict=True,
    )
    pools = calibration.negative_pools(messages, np.array(scores))
    assert sorted(pools) == ["seed"]
    only_small = calibration.negative_pools(messages[-3:], np.array(scores[-3:]))
    assert sorted(only_small) == ["other"]

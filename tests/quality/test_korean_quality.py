"""The default model's quality on Korean text it never trained on, at its own operating points, with floors.

One model is trained per session exactly as `weave-ml train` trains the default one (seed corpus plus the
everyday training part, thresholds chosen on the held-out 20%). It is then measured on the everyday evaluation
part (real ordinary text), on the synthetic phishing of the golden split, and on the two hand-written sets.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from weave_ml import cli
from weave_ml.model import calibration
from weave_ml.model.predictions import SENSITIVITY_LEVELS
from weave_ml.model.scoring import Scorer
from weave_ml.registry.store import Registry
from weave_ml.training import corpus
from weave_ml.training.corpus import phishing
from weave_ml.training.evaluation import evaluate_korean, metrics
from weave_ml.training.train import TrainedModel, publish, train_evaluated

pytestmark = pytest.mark.quality

DATA = Path(__file__).resolve().parents[1] / "data"

# Measured with the default data and pipeline, less a small margin: one or two more misses must not fail the
# suite, a real regression must. Raise them when the model gets better.
# Measured at medium (0.0658, fixed by the guard of synthetic hard negatives at 5 %): hold-out MCC 0.943 (caught
# 0.989, blocked 0.046); realistic MCC 0.910 (caught 1.000, blocked 0.090). Before the thresholds came from real
# text (medium 0.227, the hard negatives at 0.3 %): hold-out 0.977 (0.989, 0.011), realistic 0.963 (0.971, 0.009).
# The genuine notices these files hold are as hard as the seed corpus's (written to use the lures' words), and the
# lower threshold flags more of them: that is the price of catching more real lures.
FLOORS = {
    "korean_holdout.jsonl": {"mcc": 0.93, "spam_caught": 0.98, "ham_blocked": 0.06},
    "korean_realistic.jsonl": {"mcc": 0.89, "spam_caught": 0.98, "ham_blocked": 0.10},
}
# Everyday evaluation part (11,226 texts) flagged, measured 0.009% / 0.036% / 0.036% (1, 4, 4 texts) at low /
# medium / high; the limits are 0.1% / 0.3% / 1%, these ceilings sit between.
EVERYDAY_CEILINGS = {"low": 0.0005, "medium": 0.001, "high": 0.002}
# Golden-split phishing caught at medium: measured 100% at every sensitivity. The golden split is drawn from the
# templates the model trains on, so this is an upper bound; `weave-ml evaluate --protocol lofo` is the estimate.
GOLDEN_CAUGHT_FLOOR = 0.99
FAMILY_CAUGHT_FLOOR = 0.94


@pytest.fixture(scope="module")
def trained() -> TrainedModel:
    return train_evaluated(corpus.default_training_data())


@pytest.fixture(scope="module")
def scorer(trained: TrainedModel) -> Scorer:
    return Scorer(trained.pipeline, "default", trained.points)


@pytest.fixture(scope="module")
def report(scorer: Scorer) -> dict[str, Any]:
    return evaluate_korean(scorer)


def _measure(scorer: Scorer, name: str) -> dict[str, Any]:
    records = [json.loads(line) for line in (DATA / name).read_text(encoding="utf-8").splitlines() if line.strip()]
    probabilities = scorer.probabilities([r["message"] for r in records], [r.get("sender") for r in records])
    return metrics([r["label"] for r in records], probabilities, threshold=scorer.points.medium)


@pytest.mark.parametrize("name", sorted(FLOORS))
def test_hand_written_sets_at_medium_sensitivity(scorer: Scorer, name: str) -> None:
    result = _measure(scorer, name)
    floor = FLOORS[name]
    assert result["mcc"] >= floor["mcc"], result
    assert result["spam_caught"] >= floor["spam_caught"], result
    assert result["ham_blocked"] <= floor["ham_blocked"], result


def test_thresholds_are_the_models_own_and_ordered(trained: TrainedModel) -> None:
    points = trained.points
    assert 0.0 < points.high <= points.medium <= points.low < 1.0
    assert (points.risk_high, points.risk_medium) == (points.low, points.high)
    assert {level: p["threshold"] for level, p in trained.metrics["operating_points"].items()} == {
        level: points.threshold(level) for level in SENSITIVITY_LEVELS
    }


def test_each_threshold_names_its_set_and_every_kind_keeps_its_limit(trained: TrainedModel) -> None:
    for level, point in trained.metrics["operating_points"].items():
        # Real everyday text is held to the flag rates; the synthetic hard negatives are a looser guard.
        limits = {"everyday": calibration.FLAG_RATES[level], "seed": calibration.GUARD_RATES[level]}
        assert point["flag_limits"] == limits
        for kind, limit in point["flag_limits"].items():
            assert point["normal_flagged_by_kind"][kind] <= limit, (level, point)
        assert point["set_by"] in {"everyday", "seed"}
    # Medium sits far below the 0.227 that the hard negatives held to 0.3 % gave.
    assert trained.points.medium < 0.1


@pytest.mark.parametrize("level", SENSITIVITY_LEVELS)
def test_everyday_text_is_rarely_flagged(report: dict[str, Any], level: str) -> None:
    everyday = report["everyday_evaluation"]
    assert everyday["n"] > 10_000
    assert everyday["flagged"][level] <= EVERYDAY_CEILINGS[level], everyday


def test_held_out_phishing_is_caught_in_every_family(report: dict[str, Any]) -> None:
    medium = report["golden"]["medium"]
    assert medium["phishing_caught"] >= GOLDEN_CAUGHT_FLOOR, medium
    by_family = medium["phishing_caught_by_source"]
    assert len(by_family) == len(phishing.FAMILIES)
    assert min(by_family.values()) >= FAMILY_CAUGHT_FLOOR, by_family
    # A more sensitive setting never catches less.
    caught = [report["golden"][level]["phishing_caught"] for level in SENSITIVITY_LEVELS]
    assert caught == sorted(caught)


def test_cli_reports_the_same_figures(trained: TrainedModel, report: dict[str, Any], tmp_path, capsys) -> None:
    registry = Registry(tmp_path / "models")
    version = publish(registry, trained)
    assert cli.main(["evaluate", "--protocol", "korean", "--json", "--model-dir", str(registry.root)]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["model_version"] == version
    assert printed["everyday_evaluation"] == report["everyday_evaluation"]
    assert printed["golden"]["medium"]["phishing_caught"] == report["golden"]["medium"]["phishing_caught"]
    assert cli.main(["evaluate", "--protocol", "korean", "--model-dir", str(registry.root)]) == 0
    table = capsys.readouterr().out
    assert "everyday flagged" in table and "family_impersonation" in table

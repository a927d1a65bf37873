import dataclasses

import pytest

from weave_ml.training.evaluation import ConfusionCounts, EverydayFlagged, Metrics
from weave_ml.training.gate import EVERYDAY_FLAGGED_CEILING, Measurement, judge

EVERYDAY_TEXTS = 10_000


def scored(mcc: float, accuracy: float = 0.9, n: int = 400) -> Metrics:
    return Metrics(accuracy, 0.9, 0.01, mcc, 0.99, n, 0.5, ConfusionCounts(tn=198, fp=2, fn=20, tp=180))


def flagged(share: float) -> EverydayFlagged:
    medium = round(share * EVERYDAY_TEXTS)
    return EverydayFlagged(EVERYDAY_TEXTS, {"low": medium // 2, "medium": medium, "high": medium * 2})


def scores(
    held_out: float,
    golden: float,
    everyday_flagged: float = 0.001,
    regression: float = 0.9,
    verdicts: Metrics | None = None,
) -> Measurement:
    return Measurement(
        held_out=scored(held_out),
        golden=scored(golden),
        fresh_reports=scored(held_out),
        everyday_evaluation=flagged(everyday_flagged),
        regression=scored(regression),
        verdicts=verdicts,
    )


def failed(decision) -> list[str]:
    return [check.data for check in decision.checks if not check.passed]


def test_gate_tolerates_a_small_drop_and_refuses_a_bigger_one():
    current = scores(0.90, 0.95)
    assert judge(scores(0.895, 0.945), current, 0.01).passed
    refused = judge(scores(0.93, 0.93), current, 0.01)
    assert not refused.passed
    assert failed(refused) == ["golden"]
    assert "golden 0.9300 is below the current model's 0.9500" in refused.reason


def test_a_drop_of_exactly_the_tolerance_passes_and_a_hair_more_does_not():
    current = scores(0.875, 0.875, regression=0.875)
    assert judge(scores(0.75, 0.75, regression=0.75), current, 0.125).passed
    refused = judge(scores(0.75, 0.7499, regression=0.75), current, 0.125)
    assert failed(refused) == ["golden"]
    assert refused.reason == "MCC on golden 0.7499 is below the current model's 0.8750 - 0.125"


def test_without_tolerance_any_drop_refuses_and_an_equal_candidate_passes():
    current = scores(0.90, 0.95)
    assert judge(scores(0.90, 0.95), current, 0.0).passed
    assert failed(judge(scores(0.8999, 0.95), current, 0.0)) == ["held_out"]


@pytest.mark.parametrize("part", ["held_out", "golden", "regression"])
def test_each_mcc_check_refuses_on_its_own_part(part):
    current = scores(0.90, 0.90, regression=0.90)
    mcc = {"held_out": 0.90, "golden": 0.90, "regression": 0.90, part: 0.80}
    candidate = scores(mcc["held_out"], mcc["golden"], regression=mcc["regression"])
    refused = judge(candidate, current, 0.01)
    assert failed(refused) == [part]
    assert refused.reason == f"MCC on {part} 0.8000 is below the current model's 0.9000 - 0.01"


def test_gate_refuses_a_candidate_that_disagrees_with_more_frozen_verdicts():
    current = scores(0.90, 0.95, verdicts=scored(0.9, accuracy=1.0, n=40))
    candidate = scores(0.95, 0.95, verdicts=scored(0.9, accuracy=0.95, n=40))
    refused = judge(candidate, current, 0.01)
    assert not refused.passed
    assert failed(refused) == ["verdicts"]
    assert "agrees with 95.00% of the 40 frozen admin verdicts, below the current model's 100.00%" in refused.reason
    assert judge(dataclasses.replace(candidate, verdicts=scored(0.9, accuracy=0.995, n=40)), current, 0.01).passed
    # No verdicts frozen yet: nothing to compare there.
    no_verdicts = judge(
        dataclasses.replace(candidate, verdicts=None), dataclasses.replace(current, verdicts=None), 0.01
    )
    assert no_verdicts.passed and "verdicts" not in {check.data for check in no_verdicts.checks}


def test_gate_compares_mcc_on_the_whole_regression_set():
    current = scores(0.90, 0.95, regression=0.97)
    refused = judge(scores(0.95, 0.95, regression=0.95), current, 0.01)
    assert failed(refused) == ["regression"]


def test_gate_passes_without_a_current_model():
    verdict = judge(scores(0.1, 0.1), None, 0.01)
    assert verdict.passed and verdict.reason.startswith("no current model to compare with")
    assert [check.data for check in verdict.checks] == ["everyday_evaluation"]


def test_a_passing_candidate_is_told_the_tolerance_it_was_held_to():
    verdict = judge(scores(0.91, 0.95), scores(0.90, 0.95), 0.02)
    assert verdict.passed and verdict.tolerance == 0.02
    assert verdict.reason == (
        "not worse than the current model beyond 0.02 MCC; everyday text flagged within the ceiling"
    )


@pytest.mark.parametrize("current", [None, scores(0.5, 0.5)])
def test_gate_refuses_a_candidate_that_flags_everyday_text(current):
    refused = judge(scores(0.99, 0.99, everyday_flagged=0.02), current, 0.01)
    assert not refused.passed
    assert failed(refused) == ["everyday_evaluation"]
    assert "flags 2.00% of the everyday evaluation part" in refused.reason
    assert judge(scores(0.99, 0.99, everyday_flagged=0.005), current, 0.01).passed


def test_the_everyday_ceiling_is_inclusive_and_owes_nothing_to_the_tolerance():
    current = scores(0.9, 0.9, everyday_flagged=0.0)
    assert judge(scores(0.9, 0.9, everyday_flagged=EVERYDAY_FLAGGED_CEILING), current, 0.5).passed
    refused = judge(scores(0.9, 0.9, everyday_flagged=EVERYDAY_FLAGGED_CEILING + 0.0001), current, 0.5)
    assert failed(refused) == ["everyday_evaluation"]
    assert refused.reason == "it flags 0.51% of the everyday evaluation part at medium sensitivity (ceiling 0.50%)"


def test_the_everyday_check_reads_the_medium_sensitivity_only():
    # Flagging much more at high sensitivity is what high sensitivity is for.
    candidate = scores(0.9, 0.9)
    lenient_at_high = EverydayFlagged(EVERYDAY_TEXTS, {"low": 0, "medium": 10, "high": 3_000})
    assert judge(dataclasses.replace(candidate, everyday_evaluation=lenient_at_high), None, 0.01).passed


def test_every_failed_check_is_in_the_reason():
    current = scores(0.90, 0.95, verdicts=scored(0.9, accuracy=1.0, n=40))
    candidate = scores(0.80, 0.85, everyday_flagged=0.02, verdicts=scored(0.9, accuracy=0.5, n=40))
    refused = judge(candidate, current, 0.01)
    assert failed(refused) == ["everyday_evaluation", "held_out", "golden", "verdicts"]
    assert refused.reason.split("; ") == [
        "it flags 2.00% of the everyday evaluation part at medium sensitivity (ceiling 0.50%)",
        "MCC on held_out 0.8000 is below the current model's 0.9000 - 0.01",
        "MCC on golden 0.8500 is below the current model's 0.9500 - 0.01",
        "it agrees with 50.00% of the 40 frozen admin verdicts, below the current model's 100.00% - 0.01",
    ]


def test_the_decision_is_written_as_the_report_has_always_shown_it():
    current = scores(0.90, 0.95, verdicts=scored(0.9, accuracy=1.0, n=40))
    candidate = scores(0.912345, 0.95, everyday_flagged=0.0012, verdicts=scored(0.9, accuracy=0.975, n=40))
    written = judge(candidate, current, 0.01).to_dict()
    assert written == {
        "passed": False,
        "tolerance": 0.01,
        "checks": [
            {
                "data": "everyday_evaluation",
                "metric": "flagged_at_medium",
                "candidate": 0.0012,
                "ceiling": 0.005,
                "passed": True,
            },
            {"data": "held_out", "metric": "mcc", "candidate": 0.9123, "current": 0.9, "passed": True},
            {"data": "golden", "metric": "mcc", "candidate": 0.95, "current": 0.95, "passed": True},
            {"data": "regression", "metric": "mcc", "candidate": 0.9, "current": 0.9, "passed": True},
            {
                "data": "verdicts",
                "metric": "accuracy",
                "n": 40,
                "candidate": 0.975,
                "current": 1.0,
                "passed": False,
            },
        ],
        "reason": "it agrees with 97.50% of the 40 frozen admin verdicts, below the current model's 100.00% - 0.01",
    }
    assert list(written["checks"][-1]) == ["data", "metric", "n", "candidate", "current", "passed"]


def test_a_measurement_without_frozen_verdicts_is_written_with_their_count_alone():
    written = scores(0.9, 0.9).to_dict()
    assert list(written) == ["held_out", "golden", "fresh_reports", "everyday_evaluation", "regression", "verdicts"]
    assert written["verdicts"] == {"n": 0}
    assert written["everyday_evaluation"] == {
        "n": EVERYDAY_TEXTS,
        "flagged_count": {"low": 5, "medium": 10, "high": 20},
        "flagged": {"low": 0.0005, "medium": 0.001, "high": 0.002},
    }

import pytest

from weave_ml.model.datasets import LabelledMessage
from weave_ml.settings import ConfigError, from_env
from weave_ml.training.retrain import balance, gate, training_set


def message(text: str, label: int, source: str) -> LabelledMessage:
    return LabelledMessage(text, label, None, source)


def scores(held_out: float, golden: float, everyday_flagged: float = 0.001) -> dict:
    return {
        "held_out": {"mcc": held_out},
        "golden": {"mcc": golden},
        "everyday_evaluation": {"flagged": {"medium": everyday_flagged}},
    }


def test_gate_tolerates_a_small_drop_and_refuses_a_bigger_one():
    current = scores(0.90, 0.95)
    assert gate(scores(0.895, 0.945), current, 0.01)["passed"]
    refused = gate(scores(0.93, 0.93), current, 0.01)
    assert not refused["passed"]
    assert [c["data"] for c in refused["checks"] if not c["passed"]] == ["golden"]
    assert "golden 0.9300 is below the current model's 0.9500" in refused["reason"]


def test_gate_refuses_a_candidate_that_disagrees_with_more_frozen_verdicts():
    current = {**scores(0.90, 0.95), "verdicts": {"n": 40, "accuracy": 1.0}}
    candidate = {**scores(0.95, 0.95), "verdicts": {"n": 40, "accuracy": 0.95}}
    refused = gate(candidate, current, 0.01)
    assert not refused["passed"]
    assert [c["data"] for c in refused["checks"] if not c["passed"]] == ["verdicts"]
    assert "agrees with 95.00% of the 40 frozen admin verdicts, below the current model's 100.00%" in refused["reason"]
    assert gate({**candidate, "verdicts": {"n": 40, "accuracy": 0.995}}, current, 0.01)["passed"]
    # No verdicts frozen yet: nothing to compare there.
    assert gate({**candidate, "verdicts": {"n": 0}}, {**current, "verdicts": {"n": 0}}, 0.01)["passed"]


def test_gate_compares_mcc_on_the_whole_regression_set():
    current = {**scores(0.90, 0.95), "regression": {"mcc": 0.97}}
    refused = gate({**scores(0.95, 0.95), "regression": {"mcc": 0.95}}, current, 0.01)
    assert [c["data"] for c in refused["checks"] if not c["passed"]] == ["regression"]


def test_gate_passes_without_a_current_model():
    verdict = gate(scores(0.1, 0.1), None, 0.01)
    assert verdict["passed"] and verdict["reason"].startswith("no current model to compare with")


@pytest.mark.parametrize("current", [None, scores(0.5, 0.5)])
def test_gate_refuses_a_candidate_that_flags_everyday_text(current):
    refused = gate(scores(0.99, 0.99, everyday_flagged=0.02), current, 0.01)
    assert not refused["passed"]
    assert [c["data"] for c in refused["checks"] if not c["passed"]] == ["everyday_evaluation"]
    assert "flags 2.00% of the everyday evaluation part" in refused["reason"]
    assert gate(scores(0.99, 0.99, everyday_flagged=0.005), current, 0.01)["passed"]


def test_balance_neither_counts_nor_drops_everyday_text():
    phishing = [message(f"seed phishing {i}", 1, "seed:parcel") for i in range(40)]
    normal = [message(f"seed normal {i}", 0, "seed:chat") for i in range(40)]
    everyday = [message(f"everyday {i}", 0, "everyday:chatbot") for i in range(500)]
    kept, dropped = balance(phishing + normal + everyday, max_ratio=1.5)
    assert dropped == 0 and len(kept) == 580


def test_balance_drops_seed_messages_of_the_majority_never_reports():
    reports = [message(f"report phishing {i}", 1, "report:user_feedback") for i in range(60)]
    seed = [message(f"seed phishing {i}", 1, "seed:parcel") for i in range(40)]
    seed += [message(f"seed normal {i}", 0, "seed:chat") for i in range(50)]
    kept, dropped = balance(reports + seed, max_ratio=1.5)
    assert dropped == 25  # 100 phishing down to 75 = 1.5 x 50 normal
    assert sum(m.label for m in kept) == 75
    assert all(m in kept for m in reports)


def test_balance_leaves_a_mix_within_the_ratio_alone():
    mix = [message(f"p{i}", 1, "seed:a") for i in range(43)] + [message(f"n{i}", 0, "seed:b") for i in range(57)]
    assert balance(mix) == (mix, 0)


def test_training_set_prefers_report_labels_and_keeps_held_out_texts_out():
    seed = [message("Hello  there", 1, "seed:a"), message("golden twin", 0, "seed:b"), message("plain", 0, "seed:c")]
    fresh = [message("hello there", 0, "report:user_feedback"), message("GOLDEN twin", 1, "report:admin_status")]
    held_out = [message("golden twin", 0, "seed:b")]
    merged = training_set(seed, fresh, held_out)
    assert [(m.message, m.label) for m in merged] == [("hello there", 0), ("plain", 0)]


def test_gate_tolerance_is_a_fraction():
    assert from_env({"ML_GATE_TOLERANCE": "0"}).gate_tolerance == 0
    with pytest.raises(ConfigError, match="ML_GATE_TOLERANCE"):
        from_env({"ML_GATE_TOLERANCE": "1.5"})

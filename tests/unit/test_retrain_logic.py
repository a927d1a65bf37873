import pytest

from weave_ml.model.datasets import LabelledMessage
from weave_ml.settings import ConfigError, from_env
from weave_ml.training.retrain import balance, training_set


def message(text: str, label: int, source: str) -> LabelledMessage:
    return LabelledMessage(text, label, None, source)


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

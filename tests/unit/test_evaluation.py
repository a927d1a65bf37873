import numpy as np
import pytest

from weave_ml.model.datasets import LabelledMessage
from weave_ml.training.evaluation import _folds, held_out_split, metrics


def test_folds_keep_identical_texts_together_and_stratify(uci_messages):
    folds = _folds(uci_messages, 5, seed=3)
    tests = [set(test.tolist()) for _, test in folds]
    assert sorted(i for t in tests for i in t) == list(range(len(uci_messages)))  # a partition
    spam_share = [np.mean([uci_messages[i].label for i in t]) for t in tests]
    assert max(spam_share) - min(spam_share) < 0.02
    fold_of_text: dict[str, int] = {}
    for k, test in enumerate(tests):
        for i in test:
            text = " ".join(uci_messages[i].message.split()).casefold()
            assert fold_of_text.setdefault(text, k) == k


def test_held_out_split_is_deterministic_by_seed():
    messages = [LabelledMessage(f"message {i}", int(i % 3 == 0)) for i in range(500)]
    first = held_out_split(messages, 0.2, seed=1)
    assert held_out_split(messages, 0.2, seed=1) == first
    assert held_out_split(messages, 0.2, seed=2) != first
    train, test = first
    assert abs(len(test) - 100) <= 2 and len(train) + len(test) == 500


def test_metrics_count_the_confusion_matrix():
    result = metrics([1, 1, 0, 0, 0], [0.9, 0.2, 0.6, 0.1, 0.0], threshold=0.5)
    assert result["confusion"] == {"tn": 2, "fp": 1, "fn": 1, "tp": 1}
    assert result["spam_caught"] == 0.5 and result["ham_blocked"] == pytest.approx(1 / 3)
    assert result["roc_auc"] == pytest.approx(5 / 6)


def test_mcc_matches_scikit_learn_and_is_zero_without_warning_on_one_class():
    from sklearn.metrics import matthews_corrcoef

    rng = np.random.default_rng(0)
    labels, scores = rng.integers(0, 2, 300), rng.random(300)
    assert metrics(labels, scores)["mcc"] == pytest.approx(matthews_corrcoef(labels, scores >= 0.5))
    all_caught = metrics([1, 1, 1], [0.9, 0.8, 0.7])  # a set of verdicts may hold one class only
    assert all_caught["mcc"] == 0.0 and all_caught["accuracy"] == 1.0 and all_caught["spam_caught"] == 1.0

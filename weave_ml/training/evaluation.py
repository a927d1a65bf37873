"""Evaluation protocols (Almeida et al. 2011, grouped 5-fold CV, held-out Korean data) and their metrics."""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike
from sklearn.metrics import accuracy_score, confusion_matrix, roc_auc_score

from weave_ml.model import calibration, pipeline
from weave_ml.model.datasets import LabelledMessage
from weave_ml.model.predictions import DEFAULT_SENSITIVITY, SENSITIVITY_LEVELS
from weave_ml.model.scoring import Scorer
from weave_ml.model.text import normalise
from weave_ml.training import corpus
from weave_ml.training.corpus import everyday

PROTOCOLS = ("almeida", "cv5", "current", "korean", "lofo")
# Protocols that fit their own model (almeida, cv5) decide at a calibrated probability of one half, as the
# published results they are compared with do; a published version decides at its own operating points.
DEFAULT_THRESHOLD = 0.5
# The split `weave-ml train` holds out of the default data; retraining never trains on it either (the golden set).
GOLDEN_SPLIT_SEED = 0
GOLDEN_FRACTION = 0.2


@dataclass(frozen=True)
class ConfusionCounts:
    """A confusion matrix's four counts; phishing is the positive class."""

    tn: int
    fp: int
    fn: int
    tp: int


@dataclass(frozen=True)
class Metrics:
    """Accuracy, spam caught, ham blocked, MCC and ROC-AUC (fractions) and counts of messages scored at a threshold."""

    accuracy: float
    spam_caught: float
    ham_blocked: float
    mcc: float
    roc_auc: float | None  # None on a set of one class
    n: int
    threshold: float
    confusion: ConfusionCounts

    @classmethod
    def of(cls, labels: ArrayLike, probabilities: ArrayLike, threshold: float = DEFAULT_THRESHOLD) -> Metrics:
        """Measure scored messages: a message is flagged when its probability is at least ``threshold``."""
        truth = np.asarray(labels, dtype=int)
        scores = np.asarray(probabilities, dtype=float)
        predicted = (scores >= threshold).astype(int)
        tn, fp, fn, tp = (int(count) for count in confusion_matrix(truth, predicted, labels=[0, 1]).ravel())
        return cls(
            accuracy=float(accuracy_score(truth, predicted)),
            spam_caught=float(tp / (tp + fn)) if tp + fn else 0.0,
            ham_blocked=float(fp / (fp + tn)) if fp + tn else 0.0,
            mcc=_mcc(tn, fp, fn, tp),
            roc_auc=float(roc_auc_score(truth, scores)) if len(set(truth.tolist())) == 2 else None,
            n=len(truth),
            threshold=threshold,
            confusion=ConfusionCounts(tn=tn, fp=fp, fn=fn, tp=tp),
        )

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def metrics(labels: ArrayLike, probabilities: ArrayLike, threshold: float = DEFAULT_THRESHOLD) -> dict[str, Any]:
    """Return the :class:`Metrics` of scored messages as a dict, the form model metadata and the CLI show."""
    return Metrics.of(labels, probabilities, threshold).to_dict()


def _mcc(tn: int, fp: int, fn: int, tp: int) -> float:
    """Matthews correlation from the confusion counts; 0 where undefined (one class only), as scikit-learn has it.

    Computed here because scikit-learn warns on a set of one class, which a set of admin verdicts may well be.
    """
    denominator = float(tp + fp) * float(tp + fn) * float(tn + fp) * float(tn + fn)
    return float((tp * tn - fp * fn) / denominator**0.5) if denominator else 0.0


def _labels(messages: Sequence[LabelledMessage]) -> np.ndarray:
    return np.array([m.label for m in messages], dtype=int)


def _probabilities(scorer: Scorer, messages: Sequence[LabelledMessage]) -> np.ndarray:
    return scorer.probabilities([m.message for m in messages], [m.sender for m in messages])


def _folds(messages: Sequence[LabelledMessage], n_splits: int, seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """Stratified folds in which identical texts always share a fold.

    Groups of identical (normalised) texts are shuffled within each label and dealt round-robin, so every
    fold gets its share of each class and a duplicate never sits on both sides of a split. Linear in the
    number of messages (scikit-learn's StratifiedGroupKFold took 18 s for 40,000 messages).
    """
    groups: dict[str, list[int]] = {}
    for position, message in enumerate(messages):
        groups.setdefault(normalise(message.message), []).append(position)
    rng = np.random.default_rng(seed)
    fold_of = np.zeros(len(messages), dtype=int)
    for label in (0, 1):
        members = [indices for indices in groups.values() if messages[indices[0]].label == label]
        for rank, group in enumerate(rng.permutation(len(members))):
            fold_of[members[group]] = rank % n_splits
    everything = np.arange(len(messages))
    return [(everything[fold_of != k], everything[fold_of == k]) for k in range(n_splits)]


def held_out_split(
    messages: Sequence[LabelledMessage], test_fraction: float = 0.2, seed: int = 0
) -> tuple[list[LabelledMessage], list[LabelledMessage]]:
    """Split into train and test, stratified by label, identical texts kept on one side."""
    train_index, test_index = _folds(messages, round(1 / test_fraction), seed)[0]
    return [messages[i] for i in train_index], [messages[i] for i in test_index]


def evaluate_almeida(messages: Sequence[LabelledMessage]) -> dict[str, Any]:
    """Train on the first 30% of the file in file order, test on the remaining 70% (Almeida et al. 2011)."""
    cut = int(len(messages) * 0.3)
    train, test = list(messages[:cut]), list(messages[cut:])
    scorer = Scorer(pipeline.train(train), "almeida")
    return metrics(_labels(test), _probabilities(scorer, test))


def evaluate_cv5(messages: Sequence[LabelledMessage], seed: int = 0) -> dict[str, Any]:
    """Stratified 5-fold cross-validation with identical texts in one fold; metrics over all out-of-fold scores."""
    probabilities = np.zeros(len(messages))
    for train_index, test_index in _folds(messages, 5, seed):
        scorer = Scorer(pipeline.train([messages[i] for i in train_index]), "cv5")
        probabilities[test_index] = _probabilities(scorer, [messages[i] for i in test_index])
    return metrics(_labels(messages), probabilities)


def evaluate_scorer(scorer: Scorer, messages: Sequence[LabelledMessage]) -> dict[str, Any]:
    """Score labelled messages with an existing model at its medium-sensitivity threshold."""
    return metrics(_labels(messages), _probabilities(scorer, messages), scorer.points.threshold(DEFAULT_SENSITIVITY))


@functools.cache
def golden_split() -> tuple[tuple[LabelledMessage, ...], tuple[LabelledMessage, ...]]:
    """Return the default data as (training messages, golden set); computed once per process."""
    train, golden = held_out_split(corpus.default_training_data(), GOLDEN_FRACTION, GOLDEN_SPLIT_SEED)
    return tuple(train), tuple(golden)


@dataclass(frozen=True)
class EverydayFlagged:
    """How many texts of the everyday evaluation part a model flags at each sensitivity."""

    n: int
    flagged_count: Mapping[str, int]  # sensitivity level → texts flagged

    def flagged(self, level: str) -> float:
        """The share of the part flagged at sensitivity ``level``."""
        return self.flagged_count[level] / self.n

    def to_dict(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "flagged_count": dict(self.flagged_count),
            "flagged": {level: self.flagged(level) for level in self.flagged_count},
        }


def everyday_flagged(scorer: Scorer, scores: np.ndarray | None = None) -> EverydayFlagged:
    """What a model flags of the everyday evaluation part (ordinary Korean text no model trains on).

    ``scores`` are the scorer's scores of that part, when the caller has them already.
    """
    messages = everyday.load(everyday.EVALUATION)
    scores = _probabilities(scorer, messages) if scores is None else scores
    counts = {level: int(np.sum(scores >= scorer.points.threshold(level))) for level in SENSITIVITY_LEVELS}
    return EverydayFlagged(len(messages), counts)


def evaluate_korean(scorer: Scorer) -> dict[str, Any]:
    """A model on the Korean data no model trains on, per sensitivity at its own operating points.

    The everyday evaluation part gives the share of ordinary text flagged; the golden split of the default data
    gives synthetic phishing caught, overall and by family. (The golden split's normal messages are where the
    default model's thresholds were chosen, so only its phishing side measures anything there.)
    """
    _, golden = golden_split()
    scores = _probabilities(scorer, golden)
    return {
        "model_version": scorer.version,
        "everyday_evaluation": everyday_flagged(scorer).to_dict(),
        "golden": {
            "n": len(golden),
            "phishing": sum(message.label for message in golden),
            **calibration.report_by_sensitivity(scorer.points, golden, scores),
        },
    }

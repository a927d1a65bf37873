"""Scoring many messages in one vectorised call, and turning a score into a prediction."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import sparse
from scipy.special import expit
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import Pipeline

from weave_ml.features import ModelInput, reason_for
from weave_ml.model import to_inputs
from weave_ml.text import message_hash

SENSITIVITY_LEVELS = ("low", "medium", "high")
# High sensitivity flags more messages: its threshold is the lowest.
SENSITIVITY_THRESHOLDS = {"low": 0.7, "medium": 0.5, "high": 0.3}
DEFAULT_SENSITIVITY = "medium"
# Lower bounds of the medium and high risk bands on the phishing probability.
RISK_BANDS = (("high", 0.7), ("medium", 0.4))
MAX_REASONS = 3


@dataclass(frozen=True)
class Score:
    """What a model says about one message, independent of the caller's sensitivity; what the cache stores."""

    message_hash: str
    probability: float
    reasons: tuple[str, ...]
    model_version: str


def risk_level(probability: float) -> str:
    """Return the risk band of a phishing probability."""
    return next((band for band, floor in RISK_BANDS if probability >= floor), "low")


def decide(score: Score, sensitivity: str = DEFAULT_SENSITIVITY, cached: bool = False) -> dict[str, Any]:
    """Return the prediction the API answers for a score at a sensitivity level."""
    threshold = SENSITIVITY_THRESHOLDS[sensitivity]
    return {
        "is_phishing": score.probability >= threshold,
        "phishing_probability": round(score.probability, 6),
        "risk_level": risk_level(score.probability),
        "sensitivity_level": sensitivity,
        "threshold": threshold,
        "reasons": list(score.reasons),
        "model_version": score.model_version,
        "cached": cached,
        "message_hash": score.message_hash,
    }


class _TfidfBlock:
    """A fitted ``TfidfVectorizer``'s transform (sublinear tf, idf, l2) without scikit-learn's per-call checks."""

    def __init__(self, vectorizer: TfidfVectorizer, weight: float) -> None:
        if not (vectorizer.sublinear_tf and vectorizer.use_idf and vectorizer.norm == "l2"):
            raise ValueError("the fast path covers sublinear, idf-weighted, l2-normalised tf-idf only")
        self._analyse = vectorizer.build_analyzer()
        self._vocabulary = vectorizer.vocabulary_
        self._idf = vectorizer.idf_ * weight
        self._width = len(self._vocabulary)
        self._weight = weight

    def transform(self, inputs: Sequence[ModelInput]) -> sparse.csr_matrix:
        vocabulary = self._vocabulary
        indptr, indices, counts = [0], [], []
        for item in inputs:
            row: dict[int, int] = {}
            for gram in self._analyse(item):
                column = vocabulary.get(gram)
                if column is not None:
                    row[column] = row.get(column, 0) + 1
            indices.extend(row)
            counts.extend(row.values())
            indptr.append(len(indices))
        columns = np.asarray(indices, dtype=np.int32)
        values = (np.log(np.asarray(counts, dtype=np.float64)) + 1.0) * self._idf[columns]
        bounds = np.asarray(indptr)
        lengths = np.diff(bounds)
        squares = np.add.reduceat(values**2, bounds[:-1][lengths > 0]) if len(values) else np.zeros(0)
        norms = np.ones(len(inputs))
        norms[lengths > 0] = np.sqrt(squares) / self._weight
        values /= np.repeat(norms, lengths)
        return sparse.csr_matrix((values, columns, bounds), shape=(len(inputs), self._width))


class _DenseBlock:
    """Any other fitted transformer, used as it is and weighted."""

    def __init__(self, transformer: Any, weight: float) -> None:
        self._transformer = transformer
        self._weight = weight

    def transform(self, inputs: Sequence[ModelInput]) -> sparse.csr_matrix:
        return sparse.csr_matrix(self._transformer.transform(inputs) * self._weight)


def _reason_key(feature_name: str) -> str:
    block, _, name = feature_name.partition("__")
    return f"word:{name}" if block == "words" else name


class Scorer:
    """Scores with a fitted pipeline without the per-call overhead of ``Pipeline.predict_proba``.

    The pipeline's parts are taken apart once: the vectorisers, the five calibrated SVMs as one
    coefficient matrix, and their sigmoid calibrations. A message then costs one sparse product. The
    result equals ``pipeline.predict_proba`` (a unit test holds it to that).
    """

    def __init__(self, pipeline: Pipeline, version: str) -> None:
        self.version = version
        union = pipeline.named_steps["features"]
        weights = union.transformer_weights or {}
        self._blocks = [
            _TfidfBlock(transformer, weights.get(name, 1.0))
            if isinstance(transformer, TfidfVectorizer)
            else _DenseBlock(transformer, weights.get(name, 1.0))
            for name, transformer in union.transformer_list
        ]
        calibrated = pipeline.named_steps["classifier"].calibrated_classifiers_
        self._coef = np.column_stack([c.estimator.coef_.ravel() for c in calibrated])
        self._intercept = np.array([c.estimator.intercept_[0] for c in calibrated])
        self._slope = np.array([c.calibrators[0].a_ for c in calibrated])
        self._offset = np.array([c.calibrators[0].b_ for c in calibrated])
        # Reasons come from word n-grams and signals: a user can read those, not character fragments.
        names = union.get_feature_names_out()
        readable = np.array([not name.startswith("chars__") for name in names])
        self._reason_weights = np.where(readable, self._coef.mean(axis=1), 0.0)
        self._reason_names = [_reason_key(name) for name in names]
        self.vocabulary_size = len(names)

    def probabilities(self, texts: Sequence[str], senders: Sequence[str | None] | None = None) -> np.ndarray:
        """Return the phishing probability of each message."""
        return self._probabilities(self._features(texts, senders))

    def score_many(self, texts: Sequence[str], senders: Sequence[str | None] | None = None) -> list[Score]:
        """Score messages in one vectorised call; the order of the result is the order of the input."""
        senders = senders if senders is not None else [None] * len(texts)
        matrix = self._features(texts, senders)
        probabilities = self._probabilities(matrix)
        reasons = self._reasons(matrix, probabilities)
        return [
            Score(message_hash(text, sender), float(probability), reason, self.version)
            for text, sender, probability, reason in zip(texts, senders, probabilities, reasons, strict=True)
        ]

    def _features(self, texts: Sequence[str], senders: Sequence[str | None] | None) -> sparse.csr_matrix:
        inputs = to_inputs(texts, senders)
        return sparse.hstack([block.transform(inputs) for block in self._blocks], format="csr")

    def _probabilities(self, matrix: sparse.csr_matrix) -> np.ndarray:
        decisions = matrix @ self._coef + self._intercept
        return expit(-(self._slope * decisions + self._offset)).mean(axis=1)

    def _reasons(self, matrix: sparse.csr_matrix, probabilities: np.ndarray) -> list[tuple[str, ...]]:
        contributions = matrix.multiply(self._reason_weights).tocsr()
        found: list[tuple[str, ...]] = []
        for row, probability in enumerate(probabilities):
            if risk_level(probability) == "low":
                found.append(())
                continue
            start, end = contributions.indptr[row], contributions.indptr[row + 1]
            values, columns = contributions.data[start:end], contributions.indices[start:end]
            reasons: list[str] = []
            for position in np.argsort(-values):
                if values[position] <= 0 or len(reasons) == MAX_REASONS:
                    break
                reason = reason_for(self._reason_names[columns[position]])
                if reason not in reasons:
                    reasons.append(reason)
            found.append(tuple(reasons))
        return found

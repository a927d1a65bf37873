"""Scoring many messages in one vectorised call with a fitted pipeline."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import sparse
from scipy.special import expit
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import Pipeline

from weave_ml.model.features import ModelInput, reason_for
from weave_ml.model.pipeline import to_inputs
from weave_ml.model.predictions import LEGACY_POINTS, MAX_REASONS, OperatingPoints, Score
from weave_ml.model.text import message_hash


@dataclass(frozen=True)
class _Rows:
    """Sparse rows of one feature block: row ``i`` holds ``columns[bounds[i]:bounds[i+1]]`` and their values."""

    bounds: np.ndarray
    columns: np.ndarray
    values: np.ndarray

    def row_ids(self) -> np.ndarray:
        return np.repeat(np.arange(len(self.bounds) - 1), np.diff(self.bounds))

    def dot(self, weights: np.ndarray) -> np.ndarray:
        """Return ``rows @ weights`` for a ``(n_features, k)`` weight matrix, as an ``(n_rows, k)`` array."""
        rows, products = self.row_ids(), self.values[:, None] * weights[self.columns]
        n = len(self.bounds) - 1
        return np.column_stack([np.bincount(rows, products[:, k], minlength=n) for k in range(weights.shape[1])])


class _TfidfBlock:
    """A fitted ``TfidfVectorizer``'s transform (sublinear tf, idf, l2) without scikit-learn's per-call checks."""

    def __init__(self, vectorizer: TfidfVectorizer, weight: float, offset: int) -> None:
        if not (vectorizer.sublinear_tf and vectorizer.use_idf and vectorizer.norm == "l2"):
            raise ValueError("the fast path covers sublinear, idf-weighted, l2-normalised tf-idf only")
        self._analyse = vectorizer.build_analyzer()
        self._vocabulary = vectorizer.vocabulary_
        self._idf = vectorizer.idf_ * weight
        self._weight = weight
        self._offset = offset
        self.width = len(self._vocabulary)

    def transform(self, inputs: Sequence[ModelInput]) -> _Rows:
        vocabulary = self._vocabulary
        bounds: list[int] = [0]
        columns: list[int] = []
        counts: list[int] = []
        for item in inputs:
            row: dict[int, int] = {}
            for gram in self._analyse(item):
                column = vocabulary.get(gram)
                if column is not None:
                    row[column] = row.get(column, 0) + 1
            columns.extend(row)
            counts.extend(row.values())
            bounds.append(len(columns))
        indices = np.asarray(columns, dtype=np.int64)
        values = (np.log(np.asarray(counts, dtype=np.float64)) + 1.0) * self._idf[indices]
        edges = np.asarray(bounds)
        lengths = np.diff(edges)
        norms = np.sqrt(np.bincount(np.repeat(np.arange(len(inputs)), lengths), values**2, minlength=len(inputs)))
        norms[norms == 0] = 1.0
        values *= self._weight / np.repeat(norms, lengths)
        return _Rows(edges, indices + self._offset, values)


class _OtherBlock:
    """Any other fitted transformer, used as it is and weighted."""

    def __init__(self, transformer: Any, weight: float, offset: int) -> None:
        self._transformer = transformer
        self._weight = weight
        self._offset = offset
        self.width = len(transformer.get_feature_names_out())

    def transform(self, inputs: Sequence[ModelInput]) -> _Rows:
        matrix = sparse.csr_matrix(self._transformer.transform(inputs))
        return _Rows(matrix.indptr, matrix.indices.astype(np.int64) + self._offset, matrix.data * self._weight)


def _readable(feature_name: str) -> bool:
    """Whether a feature makes a reason a user understands: a signal, or a word of at least two characters.

    Character fragments and one-character words ('좀', 'u') say nothing to a reader.
    """
    block, _, name = feature_name.partition("__")
    return block != "chars" and (block != "words" or len(name) >= 2)


def _reason_key(feature_name: str) -> str:
    block, _, name = feature_name.partition("__")
    return f"word:{name}" if block == "words" else name


class Scorer:
    """Scores with a fitted pipeline without the per-call overhead of ``Pipeline.predict_proba``.

    The pipeline's parts are taken apart once: the vectorisers, the five calibrated SVMs as one
    coefficient matrix, and their sigmoid calibrations. A message then costs a dictionary look-up per
    n-gram and one weighted sum, with no sparse-matrix objects built per call. The result equals
    ``pipeline.predict_proba`` (a unit test holds it to that). Messages that ``points`` put at medium or high
    risk get reasons.
    """

    def __init__(self, pipeline: Pipeline, version: str, points: OperatingPoints = LEGACY_POINTS) -> None:
        self.version = version
        self.points = points
        union = pipeline.named_steps["features"]
        weights = union.transformer_weights or {}
        self._blocks: list[_TfidfBlock | _OtherBlock] = []
        offset = 0
        for name, transformer in union.transformer_list:
            kind = _TfidfBlock if isinstance(transformer, TfidfVectorizer) else _OtherBlock
            block = kind(transformer, weights.get(name, 1.0), offset)
            self._blocks.append(block)
            offset += block.width
        calibrated = pipeline.named_steps["classifier"].calibrated_classifiers_
        self._coef = np.column_stack([c.estimator.coef_.ravel() for c in calibrated])
        self._intercept = np.array([c.estimator.intercept_[0] for c in calibrated])
        self._slope = np.array([c.calibrators[0].a_ for c in calibrated])
        self._offset = np.array([c.calibrators[0].b_ for c in calibrated])
        # Reasons come from word n-grams and signals: a user can read those, not character fragments.
        names = union.get_feature_names_out()
        readable = np.array([_readable(name) for name in names])
        self._reason_weights = np.where(readable, self._coef.mean(axis=1), 0.0)
        self._reason_names = [_reason_key(name) for name in names]
        self.vocabulary_size = len(names)

    def with_points(self, points: OperatingPoints) -> Scorer:
        """Return a scorer of the same model with other operating points, without taking the pipeline apart again."""
        twin = copy.copy(self)
        twin.points = points
        return twin

    def probabilities(self, texts: Sequence[str], senders: Sequence[str | None] | None = None) -> np.ndarray:
        """Return the phishing probability of each message."""
        return self._probabilities(self._features(texts, senders))

    def score_many(
        self,
        texts: Sequence[str],
        senders: Sequence[str | None] | None = None,
        hashes: Sequence[str] | None = None,
    ) -> list[Score]:
        """Score messages in one vectorised call; the order of the result is the order of the input. ``hashes``: the
        messages' hashes (:func:`message_hash`) where the caller has them already."""
        senders = senders if senders is not None else [None] * len(texts)
        if hashes is None:
            hashes = [message_hash(text, sender) for text, sender in zip(texts, senders, strict=True)]
        inputs = to_inputs(texts, senders)
        blocks = [block.transform(inputs) for block in self._blocks]
        probabilities = self._probabilities(blocks)
        reasons = self._reasons(blocks, probabilities, [text for text, _ in inputs])
        return [
            Score(digest, float(probability), reason, self.version)
            for digest, probability, reason in zip(hashes, probabilities, reasons, strict=True)
        ]

    def _features(self, texts: Sequence[str], senders: Sequence[str | None] | None) -> list[_Rows]:
        inputs = to_inputs(texts, senders)
        return [block.transform(inputs) for block in self._blocks]

    def _probabilities(self, blocks: list[_Rows]) -> np.ndarray:
        decisions = sum(rows.dot(self._coef) for rows in blocks) + self._intercept
        probabilities: np.ndarray = expit(-(self._slope * decisions + self._offset)).mean(axis=1)
        return probabilities

    def _reasons(self, blocks: list[_Rows], probabilities: np.ndarray, texts: Sequence[str]) -> list[tuple[str, ...]]:
        """The reasons of each message at medium or high risk; ``texts`` are the normalised texts, whose links the
        link signals' reasons name."""
        found: list[tuple[str, ...]] = []
        for row, probability in enumerate(probabilities):
            if self.points.risk_level(probability) == "low":
                found.append(())
                continue
            columns = np.concatenate([rows.columns[rows.bounds[row] : rows.bounds[row + 1]] for rows in blocks])
            values = np.concatenate([rows.values[rows.bounds[row] : rows.bounds[row + 1]] for rows in blocks])
            contributions = values * self._reason_weights[columns]
            reasons: list[str] = []
            for position in np.argsort(-contributions):
                if contributions[position] <= 0 or len(reasons) == MAX_REASONS:
                    break
                reason = reason_for(self._reason_names[columns[position]], texts[row])
                if reason not in reasons:
                    reasons.append(reason)
            found.append(tuple(reasons))
        return found

"""The phishing classifier: the scikit-learn pipeline, its training, and safe saving and loading."""

from __future__ import annotations

import copy
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import skops.io
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.svm import LinearSVC

from weave_ml.model import features
from weave_ml.model.datasets import LabelledMessage
from weave_ml.model.features import MessageSignals, ModelInput, message_text
from weave_ml.model.text import normalise, sender_kind

# The only types a model file may contain. Anything else is refused before a byte of it is instantiated.
TRUSTED_TYPES = frozenset(
    {
        "builtins.slice",
        "numpy.dtype",
        "numpy.float64",
        "numpy.int64",
        "numpy.ndarray",
        "scipy.sparse._csr.csr_matrix",
        "sklearn.calibration.CalibratedClassifierCV",
        "sklearn.calibration._CalibratedClassifier",
        "sklearn.calibration._SigmoidCalibration",
        "sklearn.feature_extraction.text.TfidfTransformer",
        "sklearn.feature_extraction.text.TfidfVectorizer",
        "sklearn.pipeline.FeatureUnion",
        "sklearn.pipeline.Pipeline",
        "sklearn.svm._classes.LinearSVC",
        "weave_ml.model.features.MessageSignals",
        "weave_ml.model.features.message_text",
        # Files written before the library was split into subpackages name the signals' module by its former path.
        "weave_ml.features.MessageSignals",
        "weave_ml.features.message_text",
    }
)
# Former module paths a model file may name, and the module each now is (skops imports a type by its path).
FORMER_MODULES = {"weave_ml.features": features}


SIGNAL_WEIGHT = 0.2
# The most frequent n-grams each block keeps. Everyday text (tens of thousands of news comments) brings over a
# million n-grams seen once or twice; all of them made a 290 MB model that took 4.6 s to load and slowed every
# message. The caps sit above what the UCI collection or the seed corpus alone produce, so they bind only on
# large, varied data, where the rare n-grams they drop carry little.
MAX_CHAR_NGRAMS = 250_000
MAX_WORD_NGRAMS = 80_000


class UntrustedModelError(ValueError):
    """A model file holds types outside :data:`TRUSTED_TYPES` or cannot be read."""


def to_inputs(texts: Sequence[str], senders: Sequence[str | None] | None = None) -> list[ModelInput]:
    """Return model inputs (normalised text, sender kind) for raw texts and senders."""
    senders = senders if senders is not None else [None] * len(texts)
    return [(normalise(text), sender_kind(sender).value) for text, sender in zip(texts, senders, strict=True)]


def build_pipeline(random_state: int = 0) -> Pipeline:
    """Return an unfitted pipeline: character and word n-grams plus hand-made signals, a calibrated linear SVM.

    Character n-grams carry Korean, where words are glued to particles (택배가, 택배는), and English alike;
    word n-grams and signals give the reasons a user can read. Nothing is downloaded.
    """
    features = FeatureUnion(
        [
            (
                "chars",
                TfidfVectorizer(
                    analyzer="char_wb",
                    ngram_range=(1, 5),
                    max_features=MAX_CHAR_NGRAMS,
                    sublinear_tf=True,
                    preprocessor=message_text,
                    dtype=np.float64,
                ),
            ),
            (
                "words",
                TfidfVectorizer(
                    analyzer="word",
                    ngram_range=(1, 2),
                    max_features=MAX_WORD_NGRAMS,
                    sublinear_tf=True,
                    preprocessor=message_text,
                    token_pattern=r"(?u)\b\w+\b",
                    dtype=np.float64,
                ),
            ),
            ("signals", MessageSignals()),
        ],
        # Each n-gram block is L2-normalised to length 1; a full-weight 0/1 signal would drown them.
        transformer_weights={"signals": SIGNAL_WEIGHT},
    )
    # Five SVMs, each calibrated on the fold it did not see, averaged: steadier probabilities than one
    # SVM calibrated on cross-validated scores (measured on the UCI protocol: ham blocked 0.09% vs 0.44%).
    classifier = CalibratedClassifierCV(
        LinearSVC(C=1.0, class_weight="balanced", random_state=random_state),
        method="sigmoid",
        cv=5,
    )
    return Pipeline([("features", features), ("classifier", classifier)])


def train(messages: Sequence[LabelledMessage], random_state: int = 0) -> Pipeline:
    """Fit a new pipeline on labelled messages, each counting as much as its ``weight``.

    The weights reach the SVMs and their calibration; the n-gram vocabulary and its IDF are counted over all
    messages alike (scikit-learn's vectorisers take no weights).
    """
    labels = np.array([message.label for message in messages])
    if len(set(labels.tolist())) < 2:
        raise ValueError("training needs both phishing and normal messages")
    inputs = to_inputs([m.message for m in messages], [m.sender for m in messages])
    weights = np.array([m.weight for m in messages], dtype=np.float64)
    if np.any(weights < 0) or not np.any(weights > 0):
        raise ValueError("message weights must be at least 0, and some above 0")
    # Unweighted training stays the exact computation it always was.
    fit_params = {} if np.all(weights == 1.0) else {"classifier__sample_weight": weights}
    return build_pipeline(random_state).fit(inputs, labels, **fit_params)


def vocabulary_size(pipeline: Pipeline) -> int:
    """Return the number of features the fitted pipeline scores a message on."""
    return len(pipeline.named_steps["features"].get_feature_names_out())


def _with_packed_vocabularies(pipeline: Pipeline) -> Pipeline:
    """Return a shallow copy whose vectorisers hold their vocabulary as one string array, terms by column.

    skops writes a dict entry by entry into its JSON schema: 100,000 n-grams took 5 s to save and 5 s to
    load. As a numpy array the same vocabulary takes milliseconds and a tenth of the space.
    """
    union = copy.copy(pipeline.named_steps["features"])
    packed_transformers = []
    for name, transformer in union.transformer_list:
        packed_transformer = transformer
        if isinstance(transformer, TfidfVectorizer):
            packed_transformer = copy.copy(transformer)
            terms = sorted(transformer.vocabulary_, key=transformer.vocabulary_.__getitem__)
            packed_transformer.vocabulary_ = np.array(terms, dtype=str)
        packed_transformers.append((name, packed_transformer))
    union.transformer_list = packed_transformers
    packed = copy.copy(pipeline)
    packed.steps = [(name, union if name == "features" else step) for name, step in pipeline.steps]
    return packed


def _unpack_vocabularies(pipeline: Pipeline) -> None:
    for _, transformer in pipeline.named_steps["features"].transformer_list:
        if isinstance(transformer, TfidfVectorizer) and isinstance(transformer.vocabulary_, np.ndarray):
            transformer.vocabulary_ = {term: column for column, term in enumerate(transformer.vocabulary_.tolist())}


def save(pipeline: Pipeline, path: Path) -> None:
    """Write a fitted pipeline to ``path`` in skops format (no pickle)."""
    skops.io.dump(_with_packed_vocabularies(pipeline), path)


def load(path: Path) -> Pipeline:
    """Read a pipeline written by :func:`save`, refusing any type outside :data:`TRUSTED_TYPES`."""
    try:
        untrusted = set(skops.io.get_untrusted_types(file=path)) - TRUSTED_TYPES
    except Exception as exc:  # a truncated or foreign file fails inside zipfile/json in many ways
        raise UntrustedModelError(f"{path} is not a readable model file: {exc}") from exc
    if untrusted:
        raise UntrustedModelError(f"{path} contains untrusted types: {', '.join(sorted(untrusted))}")
    for former, module in FORMER_MODULES.items():
        sys.modules.setdefault(former, module)
    try:
        pipeline = skops.io.load(path, trusted=sorted(TRUSTED_TYPES))
    except Exception as exc:
        raise UntrustedModelError(f"{path} could not be loaded: {exc}") from exc
    if not isinstance(pipeline, Pipeline) or "features" not in pipeline.named_steps:
        raise UntrustedModelError(f"{path} does not hold a pipeline")
    _unpack_vocabularies(pipeline)
    return pipeline

"""Korean training data of the package: a synthetic seed corpus reproducible from a seed, and everyday text."""

from weave_ml.model.datasets import LabelledMessage
from weave_ml.training.corpus import everyday
from weave_ml.training.corpus.generator import FAMILIES, generate, write_jsonl

__all__ = ["FAMILIES", "default_training_data", "everyday", "generate", "write_jsonl"]


def default_training_data() -> list[LabelledMessage]:
    """Return what the default model learns from: the seed corpus and the training part of the everyday text."""
    return generate() + everyday.load(everyday.TRAINING)

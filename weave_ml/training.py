"""Train a model on labelled messages, evaluate it on a held-out split and publish it with its metadata."""

from __future__ import annotations

import collections
import datetime as dt
import platform
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import metadata as package_metadata
from typing import Any

from sklearn.pipeline import Pipeline

from weave_ml import __version__, model
from weave_ml.datasets import LabelledMessage
from weave_ml.evaluation import evaluate_scorer, held_out_split
from weave_ml.registry import Registry
from weave_ml.scoring import SENSITIVITY_THRESHOLDS, Scorer


@dataclass(frozen=True)
class TrainedModel:
    """A fitted pipeline with its held-out metrics and the description of the data it saw."""

    pipeline: Pipeline
    metrics: dict[str, Any]
    data: dict[str, Any]


def library_versions() -> dict[str, str]:
    """Return the versions of the libraries a model file depends on."""
    versions = {"python": platform.python_version(), "weave-ml": __version__}
    for name in ("scikit-learn", "numpy", "scipy", "skops"):
        versions[name] = package_metadata.version(name)
    return versions


def describe(messages: Sequence[LabelledMessage]) -> dict[str, Any]:
    """Return counts of messages by label and by source."""
    return {
        "total": len(messages),
        "phishing": sum(m.label for m in messages),
        "normal": sum(1 - m.label for m in messages),
        "by_source": dict(sorted(collections.Counter(m.source or "unknown" for m in messages).items())),
    }


def train_evaluated(messages: Sequence[LabelledMessage], seed: int = 0) -> TrainedModel:
    """Fit on a grouped, stratified 80% and measure on the other 20%; the published model is the measured one."""
    train, test = held_out_split(messages, 0.2, seed)
    pipeline = model.train(train, random_state=seed)
    metrics = evaluate_scorer(Scorer(pipeline, "candidate"), test)
    return TrainedModel(pipeline, metrics, {"train": describe(train), "test": describe(test)})


def publish(
    registry: Registry,
    trained: TrainedModel,
    *,
    window: dict[str, Any] | None = None,
    report: dict[str, Any] | None = None,
    extra_files: dict[str, bytes] | None = None,
    make_current: bool = True,
    version: str | None = None,
) -> str:
    """Store a trained model as a new version (named ``version`` if given) with full metadata; return the version."""
    metadata = {
        "version": version,
        "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "libraries": library_versions(),
        "training_data": {**trained.data, "window": window},
        "metrics": trained.metrics,
        "thresholds": SENSITIVITY_THRESHOLDS,
    }
    return registry.publish(
        trained.pipeline, metadata, report=report, extra_files=extra_files, make_current=make_current
    )

"""Train a model on labelled messages, evaluate it on a held-out split and publish it with its metadata."""

from __future__ import annotations

import collections
import dataclasses
import datetime as dt
import platform
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import metadata as package_metadata
from typing import Any

import numpy as np
from sklearn.pipeline import Pipeline

from weave_ml import __version__
from weave_ml.model import calibration, pipeline
from weave_ml.model.datasets import LabelledMessage
from weave_ml.model.predictions import DEFAULT_SENSITIVITY, OperatingPoints
from weave_ml.model.scoring import Scorer
from weave_ml.registry.store import Registry
from weave_ml.training.evaluation import held_out_split, metrics


@dataclass(frozen=True)
class TrainedModel:
    """A fitted pipeline with its operating points, its held-out metrics and the description of the data it saw."""

    pipeline: Pipeline
    points: OperatingPoints
    metrics: dict[str, Any]
    data: dict[str, Any]


@dataclass(frozen=True)
class Calibrated:
    """A fitted model's scorer at the operating points chosen on held-out messages, and their scores."""

    scorer: Scorer
    scores: np.ndarray
    choice: calibration.Choice

    def metrics(self, messages: Sequence[LabelledMessage]) -> dict[str, Any]:
        """Metrics at medium sensitivity and, per sensitivity, what the operating points catch and flag.

        Each sensitivity also names the kind of held-out normal messages that fixed its threshold (``set_by``)
        and the share of each kind it was allowed to flag (``flag_limits``).
        """
        labels = [m.label for m in messages]
        result = metrics(labels, self.scores, self.scorer.points.threshold(DEFAULT_SENSITIVITY))
        report = calibration.report_by_sensitivity(self.scorer.points, messages, self.scores)
        for level, point in report.items():
            point["set_by"] = self.choice.set_by[level]
            point["flag_limits"] = {kind: limits[level] for kind, limits in self.choice.limits.items()}
        return {**result, "operating_points": report}


def calibrate(pipeline: Pipeline, held_out: Sequence[LabelledMessage], version: str = "candidate") -> Calibrated:
    """Score held-out messages the model did not train on and choose its operating points on their negatives."""
    scorer = Scorer(pipeline, version)
    scores = scorer.probabilities([m.message for m in held_out], [m.sender for m in held_out])
    choice = calibration.choose(calibration.negative_pools(held_out, scores))
    return Calibrated(scorer.with_points(choice.points), scores, choice)


def library_versions() -> dict[str, str]:
    """Return the versions of the libraries a model file depends on."""
    versions = {"python": platform.python_version(), "weave-ml": __version__}
    for name in ("scikit-learn", "numpy", "scipy", "skops"):
        versions[name] = package_metadata.version(name)
    return versions


@dataclass(frozen=True)
class MessageCounts:
    """Labelled messages counted by label and by source."""

    total: int
    phishing: int
    normal: int
    by_source: Mapping[str, int]  # a message's source ("seed:parcel", "report:user_feedback" ...) → messages

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def count_messages(messages: Sequence[LabelledMessage]) -> MessageCounts:
    """Count messages by label and by source."""
    return MessageCounts(
        total=len(messages),
        phishing=sum(m.label for m in messages),
        normal=sum(1 - m.label for m in messages),
        by_source=dict(sorted(collections.Counter(m.source or "unknown" for m in messages).items())),
    )


def train_evaluated(messages: Sequence[LabelledMessage], seed: int = 0) -> TrainedModel:
    """Fit on a grouped, stratified 80%; on the other 20% choose the operating points and measure.

    The published model is the measured one. Its thresholds come from the held-out normal messages only, so
    the phishing caught at each sensitivity is measured on messages that chose nothing.
    """
    train, test = held_out_split(messages, 0.2, seed)
    fitted = pipeline.train(train, random_state=seed)
    calibrated = calibrate(fitted, test)
    data = {"train": count_messages(train).to_dict(), "test": count_messages(test).to_dict()}
    return TrainedModel(fitted, calibrated.scorer.points, calibrated.metrics(test), data)


def thresholds_set_by(metrics: Mapping[str, Any]) -> dict[str, str] | None:
    """Per sensitivity, the kind of held-out normal messages that fixed its threshold (None for older metrics)."""
    points = metrics.get("operating_points") or {}
    set_by = {level: points[level].get("set_by") for level in points}
    return set_by if set_by and all(set_by.values()) else None


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
        **trained.points.to_metadata(),
        "thresholds_set_by": thresholds_set_by(trained.metrics),
    }
    return registry.publish(
        trained.pipeline, metadata, report=report, extra_files=extra_files, make_current=make_current
    )

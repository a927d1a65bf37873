"""The report of one retraining run: what it read, trained, measured and decided, and the JSON it is kept as.

The JSON (:meth:`RetrainReport.to_dict`) is what the runs folder and a version's ``report.json`` hold, what
``weave-ml retrain`` prints, and, shortened by :meth:`RetrainReport.summary`, what the retrain task returns and
GET /admin/retrain/<task id> answers: its keys are a contract with those readers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from weave_ml.reports.mongo import ReportCounts, Window
from weave_ml.training.gate import Decision, Measurement
from weave_ml.training.train import MessageCounts


@dataclass(frozen=True)
class RegressionSetUpdate:
    """The admin verdicts this run froze into the regression set, and the file that keeps them."""

    verdicts_frozen_now: int
    verdicts_file: str


@dataclass(frozen=True)
class CampaignExamplesUse:
    """The phishing campaigns' templates the candidate trained on, at which weight, or why none."""

    used: int
    weight: float
    max: int  # CAMPAIGN_EXAMPLES_MAX
    skipped: str | None = None  # why none were used, when they could not be

    def to_dict(self) -> dict[str, Any]:
        shown = {"used": self.used, "weight": self.weight, "max": self.max}
        return shown if self.skipped is None else {**shown, "skipped": self.skipped}


@dataclass(frozen=True)
class TrainingSet:
    """What the candidate trained on: the messages, the seed messages dropped for balance, the campaign templates."""

    messages: MessageCounts
    seed_dropped_for_balance: int
    campaign_examples: CampaignExamplesUse

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.messages.to_dict(),
            "seed_dropped_for_balance": self.seed_dropped_for_balance,
            "campaign_examples": self.campaign_examples.to_dict(),
        }


@dataclass(frozen=True)
class Evaluation:
    """The sizes of the data both models were measured on, and each model's measurement."""

    golden: int
    fresh_reports: int  # fresh reports held out of training
    everyday_evaluation: int
    verdicts: int  # frozen admin verdicts
    candidate: Measurement
    current: Measurement | None  # None without a current model, or when it could not be loaded
    current_version: str | None
    current_load_error: str | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "held_out": {"golden": self.golden, "fresh_reports": self.fresh_reports},
            "regression": {
                "golden": self.golden,
                "everyday_evaluation": self.everyday_evaluation,
                "verdicts": self.verdicts,
            },
            "candidate": self.candidate.to_dict(),
            "current": self.current.to_dict() if self.current is not None else None,
            "current_version": self.current_version,
            "current_load_error": self.current_load_error,
        }


@dataclass(frozen=True)
class RetrainReport:
    """A run that started: its outcome, and each part of the report it got as far as."""

    run_id: str  # also the name of the version it stores
    trigger: str  # cli, schedule, admin ...
    started_at: str  # ISO 8601, to the second
    decision: str  # published, candidate, refused, skipped or failed
    reason: str
    version: str | None  # the version stored, if any
    current_version_before: str | None
    current_version: str | None
    auto_deploy: bool
    timings_s: Mapping[str, float]  # stage (load_reports, train, evaluate) → seconds
    report_dir: str
    duration_s: float
    window: Window | None = None  # None from here on when the reports could not be read
    reports: ReportCounts | None = None
    regression: RegressionSetUpdate | None = None
    training: TrainingSet | None = None  # None from here on when too few reports were read to train
    evaluation: Evaluation | None = None
    gate: Decision | None = None

    def to_dict(self) -> dict[str, Any]:
        """The report as JSON data, keyed as it has always been; parts the run did not get to are left out."""
        report: dict[str, Any] = {
            "run_id": self.run_id,
            "trigger": self.trigger,
            "started_at": self.started_at,
            "decision": self.decision,
            "reason": self.reason,
            "version": self.version,
            "current_version_before": self.current_version_before,
            "current_version": self.current_version,
            "auto_deploy": self.auto_deploy,
            "timings_s": dict(self.timings_s),
        }
        if self.window is not None:
            report["window"] = self.window.to_dict()
        if self.reports is not None:
            report["reports"] = self.reports.to_dict()
        if self.regression is not None:
            report["regression"] = {
                "verdicts_frozen_now": self.regression.verdicts_frozen_now,
                "verdicts_file": self.regression.verdicts_file,
            }
            if self.evaluation is not None:
                report["regression"]["verdicts"] = self.evaluation.verdicts
        if self.training is not None:
            report["training"] = self.training.to_dict()
        if self.evaluation is not None:
            report["evaluation"] = self.evaluation.to_dict()
        if self.gate is not None:
            report["gate"] = self.gate.to_dict()
        return {**report, "report_dir": self.report_dir, "duration_s": self.duration_s}

    def summary(self) -> dict[str, Any]:
        """The short form of the report: what the retrain task returns and an admin polls."""
        return {
            "run_id": self.run_id,
            "decision": self.decision,
            "reason": self.reason,
            "version": self.version,
            "current_version": self.current_version,
            "report_dir": self.report_dir,
            "duration_s": self.duration_s,
            "labelled_reports": self.reports.labelled if self.reports is not None else None,
            "gate_passed": self.gate.passed if self.gate is not None else None,
        }


@dataclass(frozen=True)
class NotStarted:
    """A run that did not start (another retrain holds the lock): its decision and why, and nothing else."""

    decision: str
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {"run_id": None, "decision": self.decision, "reason": self.reason}

    def summary(self) -> dict[str, Any]:
        """The short form of a started run's report, empty but for the decision and why."""
        empty = ("version", "current_version", "report_dir", "duration_s", "labelled_reports", "gate_passed")
        return {**self.to_dict(), **dict.fromkeys(empty)}

"""One retraining run: reports plus seed corpus → a candidate → compared with the current model → gate → publish."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import redis

from weave_ml.campaigns import examples as campaign_examples
from weave_ml.connections import redis_client
from weave_ml.model import pipeline
from weave_ml.model.datasets import LabelledMessage
from weave_ml.model.predictions import DEFAULT_SENSITIVITY
from weave_ml.model.scoring import Scorer
from weave_ml.model.text import normalise
from weave_ml.registry.store import REPORT_FILE, Registry, RegistryError, new_version_name
from weave_ml.reports.mongo import LabelledReports, ReportCounts, ReportsUnavailable, Window, load_labelled
from weave_ml.settings import Settings
from weave_ml.training import gate, plots, regression
from weave_ml.training.corpus import everyday
from weave_ml.training.evaluation import GOLDEN_SPLIT_SEED, Metrics, everyday_flagged, golden_split, held_out_split
from weave_ml.training.lock import LOCK_TTL_S, retrain_lock
from weave_ml.training.run_report import (
    CampaignExamplesUse,
    Evaluation,
    NotStarted,
    RegressionSetUpdate,
    RetrainReport,
    TrainingSet,
)
from weave_ml.training.train import TrainedModel, calibrate, count_messages, publish

log = logging.getLogger(__name__)

FRESH_TEST_FRACTION = 0.2
# A stratified five-fold split of the fresh reports needs five of each class.
MIN_PER_CLASS = 5
# Beyond this ratio of majority to minority class, seed messages of the majority class are dropped.
MAX_CLASS_RATIO = 1.5
SEED_SOURCE_PREFIX = "seed:"
RUNS_DIR = "runs"
FIGURE_FILE = "report.png"

PUBLISHED = "published"  # made current
CANDIDATE = "candidate"  # stored, not current (ML_AUTO_DEPLOY=false)
REFUSED = "refused"  # worse than the current model: not stored
SKIPPED = "skipped"  # too few or one-sided reports: nothing trained
FAILED = "failed"  # reports could not be read
ALREADY_RUNNING = "already_running"


class RetrainFailed(RuntimeError):
    """The run could not read its data; the message says why and where its report is."""


def balance(
    messages: Sequence[LabelledMessage], max_ratio: float = MAX_CLASS_RATIO
) -> tuple[list[LabelledMessage], int]:
    """Drop seed messages of the majority class until it is at most ``max_ratio`` times the minority.

    Reports are never dropped: they are the real data. The classifier also weighs classes by their share,
    but its calibrated probabilities follow the training mix, which should not swing with a week's reports.
    Everyday text is neither counted nor dropped: it is the same fixed block of real negatives in every model.
    """
    mixed = [m for m in messages if not m.source.startswith(everyday.SOURCE_PREFIX)]
    phishing = sum(m.label for m in mixed)
    majority_label = int(phishing > len(mixed) - phishing)
    majority = max(phishing, len(mixed) - phishing)
    excess = majority - int((len(mixed) - majority) * max_ratio)
    droppable = [
        i for i, m in enumerate(messages) if m.label == majority_label and m.source.startswith(SEED_SOURCE_PREFIX)
    ]
    if excess <= 0 or not droppable:
        return list(messages), 0
    dropped = set(random.Random(0).sample(droppable, min(excess, len(droppable))))
    return [m for i, m in enumerate(messages) if i not in dropped], len(dropped)


def training_set(
    seed_train: Sequence[LabelledMessage], fresh_train: Sequence[LabelledMessage], held_out: Sequence[LabelledMessage]
) -> list[LabelledMessage]:
    """Merge seed and fresh training messages: a report's label wins over a seed text's, held-out texts are out."""
    excluded = {normalise(m.message) for m in held_out}
    fresh = [m for m in fresh_train if normalise(m.message) not in excluded]
    excluded |= {normalise(m.message) for m in fresh}
    return fresh + [m for m in seed_train if normalise(m.message) not in excluded]


# A model's scores of the held-out messages, the everyday evaluation part and the frozen verdicts.
Scores = tuple[np.ndarray, np.ndarray, np.ndarray]


@dataclass(frozen=True)
class _EvaluationData:
    """What every model is measured on: the held-out messages and the regression set's other two parts."""

    held_out: list[LabelledMessage]
    golden_size: int
    everyday: list[LabelledMessage]
    verdicts: list[LabelledMessage]

    def scores(self, scorer: Scorer, held_out: np.ndarray | None = None) -> Scores:
        """Score the held-out messages (unless their ``held_out`` scores are given), everyday text and verdicts."""

        def score(part: Sequence[LabelledMessage]) -> np.ndarray:
            return scorer.probabilities([m.message for m in part], [m.sender for m in part]) if part else np.zeros(0)

        return (score(self.held_out) if held_out is None else held_out, score(self.everyday), score(self.verdicts))

    def measure(self, scorer: Scorer, scores: Scores) -> gate.Measurement:
        """A model's metrics at its own medium-sensitivity threshold on every part, and its everyday text flagged."""
        held_out, everyday_scores, verdict_scores = scores
        threshold = scorer.points.threshold(DEFAULT_SENSITIVITY)
        labels = np.array([m.label for m in self.held_out], dtype=int)
        verdict_labels = np.array([m.label for m in self.verdicts], dtype=int)
        golden = self.golden_size
        return gate.Measurement(
            held_out=Metrics.of(labels, held_out, threshold),
            golden=Metrics.of(labels[:golden], held_out[:golden], threshold),
            fresh_reports=Metrics.of(labels[golden:], held_out[golden:], threshold),
            everyday_evaluation=everyday_flagged(scorer, everyday_scores),
            regression=Metrics.of(
                np.concatenate([labels[:golden], np.zeros(len(everyday_scores), dtype=int), verdict_labels]),
                np.concatenate([held_out[:golden], everyday_scores, verdict_scores]),
                threshold,
            ),
            verdicts=Metrics.of(verdict_labels, verdict_scores, threshold) if self.verdicts else None,
        )


def _current_scorer(registry: Registry) -> tuple[Scorer | None, str | None]:
    try:
        loaded = registry.load()
    except (RegistryError, ValueError) as exc:
        return None, str(exc)
    return loaded.scorer(), None


def _write_run(directory: Path, report: RetrainReport, figure: bytes | None) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    if figure is not None:
        (directory / FIGURE_FILE).write_bytes(figure)
    text = json.dumps(report.to_dict(), indent=2, ensure_ascii=False)
    (directory / REPORT_FILE).write_text(text, encoding="utf-8")


class _Run:
    """The state of one run, gathering the parts of its report as it goes."""

    def __init__(
        self,
        settings: Settings,
        registry: Registry,
        trigger: str,
        now: dt.datetime | None,
        on_published: Callable[[str], None] | None,
    ) -> None:
        self.settings = settings
        self.on_published = on_published
        self.registry = registry
        self.trigger = trigger
        # ``now`` sets the data window; the run id is also the version name, which must sort by real time.
        self.now = now or dt.datetime.now(dt.UTC)
        self.started = time.monotonic()
        self.started_at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        self.run_id = new_version_name()
        self.current_version_before = registry.current_version()
        self.timings_s: dict[str, float] = {}
        self.window: Window | None = None
        self.counts: ReportCounts | None = None
        self.regression: RegressionSetUpdate | None = None
        self.training: TrainingSet | None = None
        self.evaluation: Evaluation | None = None
        self.gate_decision: gate.Decision | None = None

    def _lap(self, name: str, since: float) -> float:
        now = time.monotonic()
        self.timings_s[name] = round(now - since, 2)
        return now

    def _report(
        self, decision: str, reason: str, directory: Path, version: str | None, current_version: str | None
    ) -> RetrainReport:
        """The report of the run so far, ending in ``decision``."""
        return RetrainReport(
            run_id=self.run_id,
            trigger=self.trigger,
            started_at=self.started_at,
            decision=decision,
            reason=reason,
            version=version,
            current_version_before=self.current_version_before,
            current_version=current_version,
            auto_deploy=self.settings.auto_deploy,
            timings_s=dict(self.timings_s),
            report_dir=str(directory),
            duration_s=round(time.monotonic() - self.started, 2),
            window=self.window,
            reports=self.counts,
            regression=self.regression,
            training=self.training,
            evaluation=self.evaluation,
            gate=self.gate_decision,
        )

    def finish(self, decision: str, reason: str, figure: bytes | None = None) -> RetrainReport:
        """Record the decision and write the report to the runs folder (nothing was stored)."""
        directory = self.registry.root / RUNS_DIR / self.run_id
        report = self._report(decision, reason, directory, None, self.current_version_before)
        _write_run(directory, report, figure)
        log.info("retrain %s: %s (%s)", self.run_id, decision, reason)
        return report

    def execute(self) -> RetrainReport:
        lap = time.monotonic()
        try:
            reports = load_labelled(self.settings, self.now)
        except ReportsUnavailable as exc:
            report = self.finish(FAILED, str(exc))
            raise RetrainFailed(f"{exc} (report in {report.report_dir})") from None
        lap = self._lap("load_reports", lap)
        self.window, self.counts = reports.window, reports.counts
        frozen = regression.FrozenVerdicts(self.registry.root)
        newly_frozen = frozen.freeze(reports.verified, self.run_id)
        self.regression = RegressionSetUpdate(verdicts_frozen_now=newly_frozen, verdicts_file=str(frozen.path))
        problem = self._too_little(reports)
        if problem:
            return self.finish(SKIPPED, problem)
        return self._train_and_decide(reports, lap)

    def _too_little(self, reports: LabelledReports) -> str | None:
        counts, days = reports.counts, self.settings.retrain_days
        if counts.labelled < self.settings.retrain_min_reports:
            return (
                f"only {counts.labelled} labelled reports in the last {days} days; "
                f"at least {self.settings.retrain_min_reports} are needed (ML_RETRAIN_MIN_REPORTS)"
            )
        if min(counts.phishing, counts.normal) < MIN_PER_CLASS:
            return (
                f"the labelled reports of the last {days} days hold {counts.phishing} phishing and "
                f"{counts.normal} normal messages; at least {MIN_PER_CLASS} of each are needed"
            )
        return None

    def _campaign_examples(self, exclude: Sequence[str]) -> tuple[list[LabelledMessage], CampaignExamplesUse]:
        """The templates of the phishing campaigns seen in the data window, as weak examples, and what the report
        says of them; none when campaigns are off, their weight is 0 or Redis cannot be read."""
        settings = self.settings
        described = CampaignExamplesUse(
            used=0, weight=settings.campaign_examples_weight, max=settings.campaign_examples_max
        )
        if not settings.campaigns or settings.campaign_examples_weight == 0:
            return [], dataclasses.replace(described, skipped="CAMPAIGNS is off or CAMPAIGN_EXAMPLES_WEIGHT is 0")
        since = (self.now - dt.timedelta(days=settings.retrain_days)).timestamp()
        try:
            with redis_client(settings.state_url) as client:
                examples = campaign_examples.training_examples(
                    client, since, settings.campaign_examples_max, settings.campaign_examples_weight, exclude
                )
        except redis.RedisError as exc:
            log.warning("retrain %s: campaign templates could not be read, training without them: %s", self.run_id, exc)
            return [], dataclasses.replace(described, skipped=f"Redis could not be read: {type(exc).__name__}")
        return examples, dataclasses.replace(described, used=len(examples))

    def _train_and_decide(self, reports: LabelledReports, lap: float) -> RetrainReport:
        seed_train, golden = golden_split()
        fresh_train, fresh_test = held_out_split(reports.messages, FRESH_TEST_FRACTION, GOLDEN_SPLIT_SEED)
        held_out = [*golden, *fresh_test]
        verdicts = regression.FrozenVerdicts(self.registry.root).load()
        evaluation = _EvaluationData(held_out, len(golden), everyday.load(everyday.EVALUATION), verdicts)
        # Frozen verdicts are held out of training as the golden set is: the gate measures on texts never learned.
        merged = training_set(seed_train, fresh_train, [*held_out, *verdicts])
        balanced, dropped = balance(merged)
        # Weakly labelled examples come after the balance: a capped handful at a lower weight, they tip no class mix.
        weak, weak_report = self._campaign_examples([m.message for m in [*held_out, *verdicts, *balanced]])
        train = [*balanced, *weak]
        candidate = pipeline.train(train, random_state=0)
        lap = self._lap("train", lap)
        self.training = TrainingSet(
            count_messages(train), seed_dropped_for_balance=dropped, campaign_examples=weak_report
        )

        labels = np.array([m.label for m in held_out])
        # The candidate's thresholds come from the held-out normal messages (golden set and fresh reports),
        # never from the everyday evaluation part or the frozen verdicts that the gate then checks.
        calibrated = calibrate(candidate, held_out)
        candidate_scores = calibrated.scores
        current, load_error = _current_scorer(self.registry)
        measured = evaluation.measure(calibrated.scorer, evaluation.scores(calibrated.scorer, candidate_scores))
        current_scores, baseline, current_threshold = None, None, None
        if current is not None:
            current_all = evaluation.scores(current)
            current_scores = current_all[0]
            baseline = evaluation.measure(current, current_all)
            current_threshold = current.points.threshold(DEFAULT_SENSITIVITY)
        thresholds = (calibrated.scorer.points.threshold(DEFAULT_SENSITIVITY), current_threshold)
        self._lap("evaluate", lap)
        self.evaluation = Evaluation(
            golden=len(golden),
            fresh_reports=len(fresh_test),
            everyday_evaluation=len(evaluation.everyday),
            verdicts=len(verdicts),
            candidate=measured,
            current=baseline,
            current_version=current.version if current else None,
            current_load_error=load_error,
        )
        verdict = gate.judge(measured, baseline, self.settings.gate_tolerance)
        self.gate_decision = verdict

        if not verdict.passed:
            figure = plots.run_figure(
                labels, candidate_scores, current_scores, f"retrain {self.run_id}: {REFUSED}", thresholds
            )
            return self.finish(REFUSED, f"quality gate: {verdict.reason}; the candidate was not stored", figure)
        decision, reason = self._deployment(verdict.reason)
        figure = plots.run_figure(
            labels, candidate_scores, current_scores, f"retrain {self.run_id}: {decision}", thresholds
        )
        data = {
            "train": self.training.messages.to_dict(),
            "test": count_messages(held_out).to_dict(),
            "reports": reports.counts.to_dict(),
        }
        trained = TrainedModel(candidate, calibrated.scorer.points, calibrated.metrics(held_out), data)
        return self._store(trained, reports.window, decision, reason, figure)

    def _deployment(self, gate_reason: str) -> tuple[str, str]:
        """Whether the candidate that passed the gate becomes current, and why (or why not)."""
        if not self.settings.auto_deploy:
            return CANDIDATE, (
                "ML_AUTO_DEPLOY is false: stored as a candidate; promote it with `weave-ml rollback VERSION` or "
                "POST /admin/rollback"
            )
        try:
            rollout = self.registry.rollout()
        except RegistryError:
            rollout = None  # an unreadable record is ignored by every process; it does not hold a retrain back
        if rollout is not None:
            # Moving the pointer under a running rollout would change the version its candidate is compared with,
            # and the evidence gathered against the old one would decide against the new (rollouts/decision).
            return CANDIDATE, (
                f"quality gate passed, but a rollout of {rollout.candidate} is in progress: stored as a candidate; "
                "promote or abort the rollout, then roll this version out"
            )
        return PUBLISHED, f"quality gate passed: {gate_reason}"

    def _store(
        self,
        trained: TrainedModel,
        window: Window,
        decision: str,
        reason: str,
        figure: bytes,
    ) -> RetrainReport:
        """Record the decision and store the candidate with its report as a version named after the run."""
        version = self.run_id
        make_current = decision == PUBLISHED
        current_version = version if make_current else self.current_version_before
        report = self._report(decision, reason, self.registry.versions_dir / version, version, current_version)
        publish(
            self.registry,
            trained,
            window=window.to_dict(),
            report=report.to_dict(),
            extra_files={FIGURE_FILE: figure},
            make_current=make_current,
            version=version,
        )
        log.info("retrain %s: %s version %s (%s)", self.run_id, decision, version, reason)
        if make_current and self.on_published is not None:
            self.on_published(version)
        return report


def run(
    settings: Settings,
    *,
    trigger: str = "cli",
    now: dt.datetime | None = None,
    on_published: Callable[[str], None] | None = None,
) -> RetrainReport | NotStarted:
    """Run one retrain under the lock and return its report; ``on_published`` is told a new current version.

    Raises :class:`RetrainFailed` when the reports cannot be read (the report is written first).
    """
    registry = Registry(settings.model_dir, keep=settings.models_keep)
    with retrain_lock(settings.redis_url, settings.model_dir, LOCK_TTL_S) as held:
        if not held:
            return NotStarted(ALREADY_RUNNING, "another retrain is running")
        return _Run(settings, registry, trigger, now, on_published).execute()

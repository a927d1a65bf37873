"""Metrics of a rollout in progress, labelled ``model_version``, read at scrape time from the workers' evidence."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import redis
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, InfoMetricFamily

from weave_ml.registry.store import Registry, RegistryError
from weave_ml.rollouts.evidence import EvidenceStore

log = logging.getLogger(__name__)


def families(client: redis.Redis, registry: Registry) -> Iterator[Any]:
    """Yield the rollout's metrics, or nothing when no rollout is in progress (one HGETALL when there is)."""
    try:
        rollout = registry.rollout()
    except RegistryError as exc:
        log.warning("metrics: %s", exc)
        return
    if rollout is None:
        return
    stats, compared, agreed = EvidenceStore(client, 0).stats(rollout)
    yield InfoMetricFamily(
        "weave_rollout",
        "The rollout in progress",
        value={"candidate": rollout.candidate, "mode": rollout.mode, "share": f"{rollout.share:g}"},
    )
    labels = ["model_version"]
    scored = CounterMetricFamily(
        "weave_rollout_scored", "Messages each version scored during the rollout", labels=labels
    )
    answers = CounterMetricFamily("weave_rollout_answers", "Messages each version answered", labels=labels)
    positive = CounterMetricFamily("weave_rollout_positive", "Messages each version flagged (medium)", labels=labels)
    errors = CounterMetricFamily("weave_rollout_errors", "Messages a version failed to score", labels=labels)
    seconds = CounterMetricFamily("weave_rollout_scoring_seconds", "Time each version spent scoring", labels=labels)
    rate = GaugeMetricFamily("weave_rollout_positive_rate", "Share of scored messages flagged", labels=labels)
    latency = GaugeMetricFamily("weave_rollout_latency_seconds", "Mean scoring time per message", labels=labels)
    for version, counts in sorted(stats.items()):
        scored.add_metric([version], counts.scored)
        answers.add_metric([version], counts.answered)
        positive.add_metric([version], counts.positive)
        errors.add_metric([version], counts.errors)
        seconds.add_metric([version], counts.seconds)
        if counts.positive_rate is not None:
            rate.add_metric([version], counts.positive_rate)
        if counts.latency_s is not None:
            latency.add_metric([version], counts.latency_s)
    yield from (scored, answers, positive, errors, seconds, rate, latency)
    if compared:
        agreement = GaugeMetricFamily(
            "weave_rollout_agreement",
            "Share of messages on which the candidate decided as the current model",
            labels=labels,
        )
        agreement.add_metric([rollout.candidate], agreed / compared)
        yield agreement

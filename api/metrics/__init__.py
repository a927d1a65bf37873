"""Prometheus metrics of the gateway (GET /metrics), summed over the server's processes via PROMETHEUS_MULTIPROC_DIR."""

from __future__ import annotations

import datetime as dt
import itertools
import logging
import os
import time
from collections.abc import Iterator
from typing import Any

import redis
from flask import Blueprint, Flask, Response, current_app, g, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, InfoMetricFamily
from prometheus_client.registry import Collector

import beat_schedule
from api.metrics import campaigns as campaign_metrics
from api.metrics import reputation as reputation_metrics
from api.metrics import rollouts as rollout_metrics
from api.openapi import answers, spec
from weave_ml import counters, logs, worker_states
from weave_ml.campaigns.store import CampaignStore
from weave_ml.connections import redis_client
from weave_ml.names import BATCH_QUEUE, PREDICT_QUEUE, TRAINING_QUEUE
from weave_ml.registry.store import Registry, RegistryError
from weave_ml.reputation.policy import Outcome
from weave_ml.reputation.store import ReputationStore
from weave_ml.serving import queue_depth
from weave_ml.settings import ConfigError, Settings
from weave_ml.training import outcomes as retrain_stats

log = logging.getLogger(__name__)

# Redis is read at scrape time; a dead Redis must cost a scrape half a second, not Prometheus' whole timeout.
SCRAPE_REDIS_TIMEOUT_S = 0.5

REQUESTS = Counter("weave_http_requests_total", "HTTP requests answered", ["endpoint", "method", "status"])
LATENCY = Histogram(
    "weave_http_request_duration_seconds",
    "Time from request to response",
    ["endpoint", "method", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
CACHE_LOOKUPS = Counter("weave_cache_lookups_total", "Score cache lookups by the gateway", ["result"])
GATEWAY_CACHE_ERRORS = Counter(
    "weave_gateway_cache_errors", "Failed score cache look-ups of the gateway (answered without the cache)"
)
BATCH_MESSAGES = Histogram(
    "weave_batch_messages",
    "Messages per POST /predict/batch",
    buckets=(1, 10, 50, 100, 500, 1000, 2000, 5000, 10000),
)
MICRO_BATCH_REQUESTS = Histogram(
    "weave_micro_batch_requests",
    "/predict requests sent to the workers in one scoring task",
    buckets=(1, 2, 4, 8, 16, 32, 64, 128, 256),
)
PREDICTIONS = Counter("weave_predictions_total", "/predict answers by risk level", ["risk_level", "cached"])
PROBABILITY = Histogram(
    "weave_phishing_probability",
    "phishing_probability of /predict answers (watch its shape for drift)",
    buckets=tuple(round(0.05 * step, 2) for step in range(1, 21)),
)

REPUTATION_HITS = Counter(
    "weave_reputation_hits_total",
    "Links and numbers of answers whose domain or number holds a verdict, by the reputation the answer shows",
    ["reputation"],
)
REPUTATION_BLOCKS = Counter(
    "weave_reputation_blocks_total",
    "Answers raised by a reported domain or number, by what reported it",
    ["source"],
)
REPUTATION_CAPPED = Counter(
    "weave_reputation_capped_total", "Answers capped at low risk: a verified sender's notice with official links"
)

blueprint = Blueprint("metrics", __name__)

QUEUES = (PREDICT_QUEUE, BATCH_QUEUE, TRAINING_QUEUE)
# What the workers count in Redis (weave_ml.counters), exported as counters.
WORKER_COUNTERS = {
    counters.EXPIRED_REQUESTS: (
        "weave_expired_requests",
        "/predict requests dropped unscored: their task expired in the queue (nobody waited any more)",
    ),
    counters.SCORING_TIMEOUTS: (
        "weave_scoring_timeouts",
        "Messages not scored within SCORING_TIME_LIMIT_S (or before their request stopped waiting)",
    ),
    counters.BATCH_FAILURES: ("weave_batch_failed_messages", "Batch messages marked failed for good"),
    counters.CACHE_ERRORS: ("weave_worker_cache_errors", "Times a worker could not write its scores to the cache"),
    counters.CAMPAIGNS_NEW: ("weave_campaigns_new", "Groups of near-identical messages that became campaigns"),
    counters.CAMPAIGN_ERRORS: (
        "weave_campaign_errors",
        "Messages answered without their campaign and reputation because Redis failed the campaign step",
    ),
    counters.REPUTATION_ENTRIES_NEW: (
        "weave_reputation_entries_new",
        "Domains and numbers seen or reported for the first time within their TTL",
    ),
}


def observe_cache(hits: int, misses: int) -> None:
    """Count score cache hits and misses."""
    # A zero is not written: each write takes the metric file's lock, and an answer makes several.
    if hits:
        CACHE_LOOKUPS.labels("hit").inc(hits)
    if misses:
        CACHE_LOOKUPS.labels("miss").inc(misses)


def observe_prediction(prediction: dict[str, Any]) -> None:
    """Count one /predict answer by risk level and record its probability."""
    PREDICTIONS.labels(prediction["risk_level"], str(prediction["cached"]).lower()).inc()
    PROBABILITY.observe(prediction["phishing_probability"])


def observe_reputation(outcome: Outcome) -> None:
    """Count what reputation did to one answer."""
    for reputation in outcome.hits:
        REPUTATION_HITS.labels(reputation).inc()
    if outcome.raised_by is not None:
        REPUTATION_BLOCKS.labels(outcome.raised_by).inc()
    if outcome.capped:
        REPUTATION_CAPPED.inc()


def schedule_period_s(settings: Settings) -> float | None:
    """Return the longest gap between two scheduled retrains, or None when retraining is not scheduled."""
    if settings.run_mode != "cron":
        return None
    try:
        schedule = beat_schedule.crontab_from(settings.cron_schedule)
    except ConfigError:
        return None
    now = dt.datetime.now(dt.UTC)
    runs = [now + schedule.remaining_estimate(now)]
    # Enough runs to see the longest gap of weekday-only or monthly schedules.
    for _ in range(12):
        runs.append(now + schedule.remaining_estimate(runs[-1] + dt.timedelta(seconds=1)))
    return float(round(max((later - earlier).total_seconds() for earlier, later in itertools.pairwise(runs))))


class ScrapeCollector(Collector):
    """What is read when Prometheus scrapes: queue depths, workers, retrain outcomes, the current model."""

    def __init__(self, settings: Settings, registry: Registry) -> None:
        self.registry = registry
        timeouts = {"socket_connect_timeout": SCRAPE_REDIS_TIMEOUT_S, "socket_timeout": SCRAPE_REDIS_TIMEOUT_S}
        self.client = redis_client(settings.redis_url, **timeouts)
        self.state = redis_client(settings.state_url, **timeouts)
        # Each role's Redis, for its memory; roles on one server are read once and reported under each name.
        self.servers = {
            "broker": self.client,
            "cache": redis_client(settings.cache_url, **timeouts),
            "state": self.state,
        }
        self.urls = {"broker": settings.redis_url, "cache": settings.cache_url, "state": settings.state_url}
        self.period_s = schedule_period_s(settings)
        self.campaigns = CampaignStore.from_settings(self.state, settings) if settings.campaigns else None
        self.reputation = ReputationStore.from_settings(self.state, settings) if settings.reputation else None

    def collect(self) -> Iterator[Any]:
        yield from self._model()
        if self.period_s is not None:
            yield GaugeMetricFamily(
                "weave_retrain_schedule_period_seconds", "Longest gap between scheduled retrains", value=self.period_s
            )
        try:
            families = list(self._redis())
            up = 1.0
        except (redis.RedisError, OSError) as exc:
            log.warning("metrics: Redis unreadable: %s", exc)
            families, up = [], 0.0
        yield GaugeMetricFamily("weave_broker_up", "Whether Redis answered this scrape", value=up)
        yield from families
        try:
            state = list(self._state())
        except (redis.RedisError, OSError) as exc:
            log.warning("metrics: the state Redis unreadable: %s", exc)
            state = []
        yield from state
        yield from self._memory()

    def _model(self) -> Iterator[Any]:
        try:
            version = self.registry.current_version()
            meta = self.registry.metadata(version) if version else {}
        except (RegistryError, OSError, ValueError) as exc:
            log.warning("metrics: model registry unreadable: %s", exc)
            return
        if not version:
            return
        yield InfoMetricFamily("weave_model", "The current model version", value={"version": version})
        created = meta.get("created_at")
        if created:
            age = time.time() - dt.datetime.fromisoformat(created).timestamp()
            yield GaugeMetricFamily("weave_model_age_seconds", "Seconds since the current model was made", value=age)

    def _redis(self) -> Iterator[Any]:
        depth = GaugeMetricFamily("weave_queue_depth", "Tasks waiting in a broker queue", labels=["queue"])
        with self.client.pipeline(transaction=False) as pipe:
            for queue in QUEUES:
                pipe.llen(queue)
            lengths = pipe.execute()
        for queue, length in zip(QUEUES, lengths, strict=True):
            depth.add_metric([queue], length)
        yield depth
        # What the scaler reads: every priority list of the scoring queues, and the tasks workers hold unfinished.
        waiting = queue_depth.backlog(self.client)
        backlog = GaugeMetricFamily(
            "weave_scoring_backlog", "Scoring tasks queued (every priority) or taken and unfinished", labels=["state"]
        )
        for queue, count in waiting.queued.items():
            backlog.add_metric([f"queued_{queue}"], count)
        backlog.add_metric(["unacked"], waiting.unacked)
        yield backlog
        yield GaugeMetricFamily("weave_scoring_backlog_total", "The scaler's signal", value=waiting.total)
        # Counters are kept in the Redis of what counts them: campaigns' in the state Redis, the rest in the broker.
        counted = counters.read(self.client)
        try:
            for counter, count in counters.read(self.state).items():
                counted[counter] += count
        except (redis.RedisError, OSError) as exc:
            log.warning("metrics: the state Redis's counters unreadable: %s", exc)
        for counter, count in counted.items():
            name, help_text = WORKER_COUNTERS[counter]
            yield CounterMetricFamily(name, help_text, value=count)
        workers = len(worker_states.live(self.client))
        yield GaugeMetricFamily("weave_workers_online", "Worker processes that published their state", value=workers)
        runs = CounterMetricFamily("weave_retrain_runs", "Retrain runs by outcome", labels=["outcome"])
        last = GaugeMetricFamily(
            "weave_retrain_last_run_timestamp_seconds", "When a retrain last ended so", labels=["outcome"]
        )
        for outcome, (count, at) in retrain_stats.outcomes(self.client).items():
            runs.add_metric([outcome], count)
            last.add_metric([outcome], at)
        yield runs
        yield last

    def _state(self) -> Iterator[Any]:
        yield from rollout_metrics.families(self.state, self.registry)
        if self.campaigns is not None:
            yield from campaign_metrics.families(self.campaigns)
        if self.reputation is not None:
            yield from reputation_metrics.families(self.reputation)

    def _memory(self) -> Iterator[Any]:
        used = GaugeMetricFamily("weave_redis_memory_used_bytes", "Memory a Redis uses (used_memory)", labels=["role"])
        limit = GaugeMetricFamily("weave_redis_memory_max_bytes", "A Redis's maxmemory (0: no limit)", labels=["role"])
        evicted = CounterMetricFamily(
            "weave_redis_evicted_keys", "Keys a Redis evicted to stay under its maxmemory", labels=["role"]
        )
        up = GaugeMetricFamily("weave_redis_up", "Whether a Redis answered this scrape", labels=["role"])
        read: dict[str, tuple[dict[str, Any], dict[str, Any]] | None] = {}
        for role, client in self.servers.items():
            url = self.urls[role]
            if url not in read:
                try:
                    read[url] = (client.info("memory"), client.info("stats"))
                except (redis.RedisError, OSError):
                    read[url] = None
            found = read[url]
            up.add_metric([role], 0.0 if found is None else 1.0)
            if found is None:
                continue
            memory, stats = found
            used.add_metric([role], float(memory.get("used_memory", 0)))
            limit.add_metric([role], float(memory.get("maxmemory", 0)))
            evicted.add_metric([role], float(stats.get("evicted_keys", 0)))
        yield from (up, used, limit, evicted)


class _ThisProcess(Collector):
    """The default registry's metrics: this process's when there is only one."""

    def collect(self) -> Iterator[Any]:
        yield from REGISTRY.collect()


def exposition(scrape: Collector) -> bytes:
    """Return the metrics of every gateway process (or of this one, without PROMETHEUS_MULTIPROC_DIR)."""
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(registry)
    else:
        registry.register(_ThisProcess())
    registry.register(scrape)
    return generate_latest(registry)


@blueprint.get("/metrics")
@spec.validate(resp=answers(HTTP_200=None))
def metrics() -> Response:
    """Prometheus metrics of every gateway process, in Prometheus' text format"""
    return Response(exposition(current_app.extensions["weave_metrics"]), content_type=CONTENT_TYPE_LATEST)


def install(app: Flask, settings: Settings, registry: Registry) -> None:
    """Time and count every request, tag it with a request id, and serve GET /metrics."""
    app.extensions["weave_metrics"] = ScrapeCollector(settings, registry)
    app.register_blueprint(blueprint)

    @app.before_request
    def start() -> None:
        g.started = time.perf_counter()
        g.request_id = logs.new_request_id(request.headers.get("X-Request-ID"))
        g.request_id_token = logs.request_id.set(g.request_id)

    @app.after_request
    def finish(response: Response) -> Response:
        # The rule, not the path: /predict/batch/<batch_id> is one series, not one per batch.
        endpoint = request.url_rule.rule if request.url_rule is not None else "unmatched"
        status = str(response.status_code)
        REQUESTS.labels(endpoint, request.method, status).inc()
        elapsed = time.perf_counter() - g.get("started", time.perf_counter())
        LATENCY.labels(endpoint, request.method, status).observe(elapsed)
        response.headers["X-Request-ID"] = g.get("request_id", "")
        return response

    @app.teardown_request
    def forget(_: BaseException | None) -> None:
        # gthread reuses threads: the next request on this one must not inherit the id.
        token = g.pop("request_id_token", None)
        if token is not None:
            logs.request_id.reset(token)

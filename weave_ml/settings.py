"""Configuration: read once from the environment into one immutable object; a bad value fails at start."""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")
Number = TypeVar("Number", int, float)


class ConfigError(ValueError):
    """An environment variable holds a value that cannot be used; the message names it."""


def _boolean(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ValueError("expected true or false")


def _positive(kind: Callable[[str], Number]) -> Callable[[str], Number]:
    def parse(text: str) -> Number:
        value = kind(text)
        if not value > 0:
            raise ValueError("must be greater than zero")
        return value

    return parse


def _seconds_or_off(text: str) -> float:
    value = float(text)
    if not 0 <= value < float("inf"):
        raise ValueError("expected a number of seconds, 0 for off")
    return value


def _choice(*allowed: str) -> Callable[[str], str]:
    def parse(text: str) -> str:
        if text not in allowed:
            raise ValueError(f"expected one of {', '.join(allowed)}")
        return text

    return parse


def _fraction(text: str) -> float:
    value = float(text)
    if not 0 <= value < 1:
        raise ValueError("expected a number from 0 up to (not including) 1")
    return value


def _share(text: str) -> float:
    value = float(text)
    if not 0 < value <= 1:
        raise ValueError("expected a number above 0 and at most 1")
    return value


def _weight(text: str) -> float:
    value = float(text)
    if not 0 <= value <= 1:
        raise ValueError("expected a number from 0 to 1")
    return value


def _optional(text: str) -> str | None:
    return text or None


def _rate_limit(text: str) -> str | None:
    if not text:
        return None
    from limits import parse_many  # only the gateway needs it; imported on use

    parse_many(text)  # raises ValueError naming what it cannot read
    return text


def _secret_list(text: str) -> tuple[str, ...]:
    secrets = tuple(part.strip() for part in text.split(",") if part.strip())
    if not secrets:
        raise ValueError("expected one or more secrets, comma-separated, newest first")
    if any(len(secret) < 32 for secret in secrets):
        raise ValueError("each secret needs 32 characters or more")
    return secrets


def _basic_auth(text: str) -> str | None:
    if text and not all(part for part in text.partition(":")[::2]):
        raise ValueError("expected user:password")
    return text or None


@dataclass(frozen=True)
class Settings:
    """Every setting the gateway, workers, beat and CLI read. Field docs name the environment variable."""

    redis_url: str = "redis://127.0.0.1:6379/0"  # REDIS_URL: broker and results
    cache_redis_url: str = ""  # CACHE_REDIS_URL: defaults to REDIS_URL
    mongodb_uri: str | None = None  # MONGODB_URI
    mongo_collection: str = "phishing_reports"  # ML_MONGO_COLLECTION
    model_dir: Path = Path("/app/models")  # ML_MODEL_DIR
    models_keep: int = 10  # ML_MODELS_KEEP: versions kept in the registry
    retrain_days: int = 30  # ML_RETRAIN_DAYS
    retrain_min_reports: int = 50  # ML_RETRAIN_MIN_REPORTS
    retrain_max_per_label: int = 25_000  # ML_RETRAIN_MAX_PER_LABEL: newest labelled reports a retrain keeps per label
    retrain_max_read: int = 1_000_000  # ML_RETRAIN_MAX_READ: reports a retrain reads at most, newest first
    retrain_read_time_limit_s: float = 300.0  # ML_RETRAIN_READ_TIME_LIMIT_S: server and client limit of the read
    gate_tolerance: float = 0.01  # ML_GATE_TOLERANCE: how much lower a retrained model's MCC may be and still ship
    auto_deploy: bool = True  # ML_AUTO_DEPLOY
    run_mode: str = "cron"  # ML_RUN_MODE: cron | once
    cron_schedule: str = "0 2 * * 0"  # ML_CRON_SCHEDULE
    predict_timeout_s: float = 5.0  # PREDICT_TIMEOUT_S
    cache_ttl_s: int = 7 * 24 * 3600  # CACHE_TTL_S: how long a score is reused
    hot_scores_ttl_s: float = 10.0  # HOT_SCORES_TTL_S: how long a gateway process reuses a score in memory; 0: off
    result_ttl_s: int = 24 * 3600  # RESULT_TTL_S: how long task and batch results are kept
    visibility_timeout_s: int = 60  # CELERY_VISIBILITY_TIMEOUT_S: unacknowledged tasks are redelivered after it
    scoring_time_limit_s: float = 30.0  # SCORING_TIME_LIMIT_S: a scoring task's messages not scored by then fail
    batch_chunk_attempts: int = 3  # BATCH_CHUNK_ATTEMPTS: claims of a batch chunk before its messages fail
    batch_quota_messages: int = 100_000  # BATCH_QUOTA_MESSAGES: messages one client may have in unfinished batches
    broker_memory_limit: float = 0.8  # BATCH_BROKER_MEMORY_LIMIT: share of Redis maxmemory above which batches wait
    api_key: str | None = None  # WEAVE_API_KEY: admin endpoints are off without it
    # WEAVE_SECRET_KEYS: secrets keying hashes of texts and numbers and sealing task bodies, newest first
    secret_keys: tuple[str, ...] = ()
    flower_basic_auth: str | None = None  # FLOWER_BASIC_AUTH: user:password
    log_format: str = "text"  # LOG_FORMAT: text | json
    rate_limit: str | None = None  # RATE_LIMIT: per-client limit of the gateway, e.g. "100/second"; off when unset
    campaigns: bool = True  # CAMPAIGNS: group scored traffic into campaigns (weave_ml.campaigns)
    campaign_min_senders: int = 5  # CAMPAIGN_MIN_SENDERS: distinct senders that make a group a campaign
    campaign_window_s: int = 6 * 3600  # CAMPAIGN_WINDOW_S: a campaign silent this long is forgotten
    campaign_lone_ttl_s: int = 1800  # CAMPAIGN_LONE_TTL_S: a text nothing else resembled is forgotten after this long
    campaign_phishing_share: float = 0.5  # CAMPAIGN_PHISHING_SHARE: share of members scored phishing that makes it one
    campaign_phishing_from: float = 0.8  # CAMPAIGN_PHISHING_FROM: probability from which a member counts as phishing
    campaign_reports_interval_s: float = 30.0  # CAMPAIGN_REPORTS_INTERVAL_S: how often MongoDB verdicts are swept in
    campaign_examples_interval_s: float = 600.0  # CAMPAIGN_EXAMPLES_INTERVAL_S: how often phishing templates are kept
    campaign_examples_weight: float = 0.3  # CAMPAIGN_EXAMPLES_WEIGHT: a template's weight in a retrain; 0: not used
    campaign_examples_max: int = 200  # CAMPAIGN_EXAMPLES_MAX: templates a retrain uses at most, newest first
    rollout_check_interval_s: float = 30.0  # ROLLOUT_CHECK_INTERVAL_S: how often a rollout's evidence is judged
    rollout_evidence_ttl_s: int = 7 * 24 * 3600  # ROLLOUT_EVIDENCE_TTL_S: how long per-message evidence is kept
    rollout_min_scored: int = 200  # ROLLOUT_MIN_SCORED: messages the candidate must score before any verdict
    rollout_max_error_rate: float = 0.01  # ROLLOUT_MAX_ERROR_RATE: above it the rollout is aborted
    rollout_max_latency_ratio: float = 3.0  # ROLLOUT_MAX_LATENCY_RATIO: candidate's time per message over current's
    rollout_max_positive_rate_change: float = 0.05  # ROLLOUT_MAX_POSITIVE_RATE_CHANGE: absolute, same messages
    rollout_auto_promote: bool = False  # ROLLOUT_AUTO_PROMOTE: promote on enough reported evidence
    rollout_min_reports: int = 100  # ROLLOUT_MIN_REPORTS: reported messages needed before a promotion
    autoscale_service: str = "weave-ml_ml-worker"  # AUTOSCALE_SERVICE: the Swarm service of the scoring workers
    autoscale_min_replicas: int = 1  # AUTOSCALE_MIN_REPLICAS
    autoscale_max_replicas: int = 8  # AUTOSCALE_MAX_REPLICAS
    autoscale_tasks_per_replica: int = 10  # AUTOSCALE_TASKS_PER_REPLICA: backlog one replica is expected to carry
    autoscale_cooldown_s: float = 60.0  # AUTOSCALE_COOLDOWN_S: no change sooner than this after the last one
    autoscale_interval_s: float = 5.0  # AUTOSCALE_INTERVAL_S: how often the backlog is read
    docker_socket: str = "/var/run/docker.sock"  # DOCKER_SOCKET: the Docker Engine API's unix socket

    @property
    def cache_url(self) -> str:
        """Return the Redis URL of the score cache."""
        return self.cache_redis_url or self.redis_url


# Environment variable → (field, parser). Parsers raise ValueError; the loader names the variable.
VARIABLES: dict[str, tuple[str, Callable[[str], object]]] = {
    "REDIS_URL": ("redis_url", str),
    "CACHE_REDIS_URL": ("cache_redis_url", str),
    "MONGODB_URI": ("mongodb_uri", _optional),
    "ML_MONGO_COLLECTION": ("mongo_collection", str),
    "ML_MODEL_DIR": ("model_dir", Path),
    "ML_MODELS_KEEP": ("models_keep", _positive(int)),
    "ML_RETRAIN_DAYS": ("retrain_days", _positive(int)),
    "ML_RETRAIN_MIN_REPORTS": ("retrain_min_reports", _positive(int)),
    "ML_RETRAIN_MAX_PER_LABEL": ("retrain_max_per_label", _positive(int)),
    "ML_RETRAIN_MAX_READ": ("retrain_max_read", _positive(int)),
    "ML_RETRAIN_READ_TIME_LIMIT_S": ("retrain_read_time_limit_s", _positive(float)),
    "ML_GATE_TOLERANCE": ("gate_tolerance", _fraction),
    "ML_AUTO_DEPLOY": ("auto_deploy", _boolean),
    "ML_RUN_MODE": ("run_mode", _choice("cron", "once")),
    "ML_CRON_SCHEDULE": ("cron_schedule", str),
    "PREDICT_TIMEOUT_S": ("predict_timeout_s", _positive(float)),
    "CACHE_TTL_S": ("cache_ttl_s", _positive(int)),
    "HOT_SCORES_TTL_S": ("hot_scores_ttl_s", _seconds_or_off),
    "RESULT_TTL_S": ("result_ttl_s", _positive(int)),
    "CELERY_VISIBILITY_TIMEOUT_S": ("visibility_timeout_s", _positive(int)),
    "SCORING_TIME_LIMIT_S": ("scoring_time_limit_s", _positive(float)),
    "BATCH_CHUNK_ATTEMPTS": ("batch_chunk_attempts", _positive(int)),
    "BATCH_QUOTA_MESSAGES": ("batch_quota_messages", _positive(int)),
    "BATCH_BROKER_MEMORY_LIMIT": ("broker_memory_limit", _share),
    "WEAVE_API_KEY": ("api_key", _optional),
    "WEAVE_SECRET_KEYS": ("secret_keys", _secret_list),
    "FLOWER_BASIC_AUTH": ("flower_basic_auth", _basic_auth),
    "LOG_FORMAT": ("log_format", _choice("text", "json")),
    "RATE_LIMIT": ("rate_limit", _rate_limit),
    "CAMPAIGNS": ("campaigns", _boolean),
    "CAMPAIGN_MIN_SENDERS": ("campaign_min_senders", _positive(int)),
    "CAMPAIGN_WINDOW_S": ("campaign_window_s", _positive(int)),
    "CAMPAIGN_LONE_TTL_S": ("campaign_lone_ttl_s", _positive(int)),
    "CAMPAIGN_PHISHING_SHARE": ("campaign_phishing_share", _share),
    "CAMPAIGN_PHISHING_FROM": ("campaign_phishing_from", _share),
    "CAMPAIGN_REPORTS_INTERVAL_S": ("campaign_reports_interval_s", _positive(float)),
    "CAMPAIGN_EXAMPLES_INTERVAL_S": ("campaign_examples_interval_s", _positive(float)),
    "CAMPAIGN_EXAMPLES_WEIGHT": ("campaign_examples_weight", _weight),
    "CAMPAIGN_EXAMPLES_MAX": ("campaign_examples_max", _positive(int)),
    "ROLLOUT_CHECK_INTERVAL_S": ("rollout_check_interval_s", _positive(float)),
    "ROLLOUT_EVIDENCE_TTL_S": ("rollout_evidence_ttl_s", _positive(int)),
    "ROLLOUT_MIN_SCORED": ("rollout_min_scored", _positive(int)),
    "ROLLOUT_MAX_ERROR_RATE": ("rollout_max_error_rate", _fraction),
    "ROLLOUT_MAX_LATENCY_RATIO": ("rollout_max_latency_ratio", _positive(float)),
    "ROLLOUT_MAX_POSITIVE_RATE_CHANGE": ("rollout_max_positive_rate_change", _fraction),
    "ROLLOUT_AUTO_PROMOTE": ("rollout_auto_promote", _boolean),
    "ROLLOUT_MIN_REPORTS": ("rollout_min_reports", _positive(int)),
    "AUTOSCALE_SERVICE": ("autoscale_service", str),
    "AUTOSCALE_MIN_REPLICAS": ("autoscale_min_replicas", _positive(int)),
    "AUTOSCALE_MAX_REPLICAS": ("autoscale_max_replicas", _positive(int)),
    "AUTOSCALE_TASKS_PER_REPLICA": ("autoscale_tasks_per_replica", _positive(int)),
    "AUTOSCALE_COOLDOWN_S": ("autoscale_cooldown_s", _positive(float)),
    "AUTOSCALE_INTERVAL_S": ("autoscale_interval_s", _positive(float)),
    "DOCKER_SOCKET": ("docker_socket", str),
}


def from_env(environ: Mapping[str, str] | None = None) -> Settings:
    """Build settings from environment variables, raising :class:`ConfigError` naming the first bad one."""
    environ = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    for variable, (name, parse) in VARIABLES.items():
        raw = environ.get(variable)
        if raw is None or (raw == "" and parse not in (_optional, _basic_auth, _rate_limit)):
            continue
        try:
            values[name] = parse(raw)
        except ValueError as exc:
            raise ConfigError(f"{variable}={raw!r} is not valid: {exc}") from None
    return Settings(**values)


@functools.cache
def get_settings() -> Settings:
    """Return the process's settings, read from the environment on first use."""
    return from_env()

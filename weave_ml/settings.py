"""Configuration: every setting declared once, read once from the environment into one immutable object.

A setting is a field of :class:`Settings` declared with :func:`setting`: its environment variable, default, parser
and meaning sit together, and the variable table (:data:`VARIABLES`), :func:`from_env` and the configuration page
of the manual (:func:`reference`) are derived from those declarations. Adding a setting is adding one field.
"""

from __future__ import annotations

import dataclasses
import functools
import ipaddress
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)
Number = TypeVar("Number", int, float)

# The groups of the configuration page.
CONNECTIONS = "Connections"
RETRAINING = "Model registry and retraining"
SERVING = "Serving"
BATCHES = "Batch jobs"
ACCESS = "Access and logs"
CAMPAIGNS = "Smishing campaigns"
REPUTATION = "Link and number reputation"
ROLLOUTS = "Rollouts"
SCALING = "Scaling the scoring workers"


class ConfigError(ValueError):
    """An environment variable holds a value that cannot be used; the message names it."""


@dataclass(frozen=True)
class Parser(Generic[T_co]):
    """Turns a variable's text into a value, raising ValueError that says why not; ``accepts`` is for the docs."""

    read: Callable[[str], T_co]
    accepts: str

    def __call__(self, text: str) -> T_co:
        return self.read(text)


def _boolean(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ValueError("expected true or false")


def positive(kind: Callable[[str], Number]) -> Parser[Number]:
    """A number of ``kind`` (int or float) above zero."""

    def read(text: str) -> Number:
        value = kind(text)
        if not value > 0:
            raise ValueError("must be greater than zero")
        return value

    return Parser(read, "a whole number above 0" if kind is int else "a number above 0")


def choice(*allowed: str) -> Parser[str]:
    """One of ``allowed``, as written."""

    def read(text: str) -> str:
        if text not in allowed:
            raise ValueError(f"expected one of {', '.join(allowed)}")
        return text

    return Parser(read, "one of " + ", ".join(f"`{value}`" for value in allowed))


def _number(within: Callable[[float], bool], expected: str) -> Parser[float]:
    """A number that ``within`` accepts; ``expected`` says which."""

    def read(text: str) -> float:
        value = float(text)
        if not within(value):
            raise ValueError(f"expected {expected}")
        return value

    return Parser(read, expected)


def _rate_limit(text: str) -> str:
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


def _networks(text: str) -> tuple[str, ...]:
    networks = tuple(part.strip() for part in text.split(",") if part.strip())
    for network in networks:
        ipaddress.ip_network(network, strict=False)  # raises ValueError naming what it cannot read
    return networks


def _docker_url(text: str) -> str:
    scheme, _, rest = text.partition("://")
    if not ((scheme == "unix" and rest.startswith("/")) or (scheme == "http" and rest)):
        raise ValueError("expected unix:///path/to/docker.sock or http://host:port")
    return text


def _port(text: str) -> int:
    port = int(text)
    if not 1 <= port <= 65535:
        raise ValueError("expected a port number from 1 to 65535")
    return port


def _basic_auth(text: str) -> str:
    if not all(part for part in text.partition(":")[::2]):
        raise ValueError("expected user:password")
    return text


TEXT = Parser(str, "text")
PATH = Parser(Path, "a path")
BOOLEAN = Parser(_boolean, "`true` or `false` (also `1`/`0`, `yes`/`no`, `on`/`off`)")
SECONDS_OR_OFF = _number(lambda value: 0 <= value < float("inf"), "a number of seconds, 0 for off")
FRACTION = _number(lambda value: 0 <= value < 1, "a number from 0 up to (not including) 1")
SHARE = _number(lambda value: 0 < value <= 1, "a number above 0 and at most 1")
WEIGHT = _number(lambda value: 0 <= value <= 1, "a number from 0 to 1")
RATE_LIMIT = Parser(_rate_limit, "[limits](https://limits.readthedocs.io) strings joined by `;`")
BASIC_AUTH = Parser(_basic_auth, "`user:password`")
NETWORKS = Parser(_networks, "IP addresses or networks (`10.0.0.0/8`), comma-separated")
SECRET_LIST = Parser(_secret_list, "secrets of 32 characters or more, comma-separated, newest first")
DOCKER_URL = Parser(_docker_url, "`unix:///path/to/docker.sock` or `http://host:port`")
PORT = Parser(_port, "a port number (1–65535)")


def setting(default: T, *, env: str, parse: Parser[T], help: str, group: str, note: str = "", shown: str = "") -> T:
    """Declare a field of :class:`Settings`.

    ``env`` is its environment variable, ``parse`` reads the variable's text, ``help`` is its meaning in one line,
    ``note`` a longer explanation for the manual, and ``shown`` the default as the manual writes it when the value
    itself would mislead (e.g. another variable's value).
    """
    metadata = {"env": env, "parse": parse, "help": help, "group": group, "note": note, "shown": shown}
    return field(default=default, metadata=metadata)


@dataclass(frozen=True)
class Settings:
    """Every setting the gateway, workers, beat and CLI read, with its environment variable in its declaration."""

    redis_url: str = setting(
        "redis://127.0.0.1:6379/0",
        env="REDIS_URL",
        parse=TEXT,
        help="Redis of the Celery broker and results",
        note="A password goes in the URL (`redis://:PASSWORD@host:6379/0`, percent-encoded when it holds `:/@#`).",
        group=CONNECTIONS,
    )
    cache_redis_url: str = setting(
        "",
        env="CACHE_REDIS_URL",
        parse=TEXT,
        help="Redis of the score cache; it may evict any key",
        shown="`REDIS_URL`'s value",
        group=CONNECTIONS,
    )
    state_redis_url: str = setting(
        "",
        env="STATE_REDIS_URL",
        parse=TEXT,
        help="Redis of derived state: campaigns, reputation, rollout evidence; it may evict",
        note="The broker's Redis (`REDIS_URL`) holds queues, batch jobs and answers on their way, and must never "
        "evict or fill up; state that many messages build up lives here instead, so no amount of traffic can stop "
        "`/predict`. Losing it costs campaign grouping, reputation and rollout evidence, never an answer.",
        shown="`CACHE_REDIS_URL`'s value",
        group=CONNECTIONS,
    )
    mongodb_uri: str | None = setting(
        None,
        env="MONGODB_URI",
        parse=TEXT,
        help="MongoDB of the reports the Java API writes; its database is the one the URI names (default `weave`)",
        note="Unset: retrains learn from the bundled data only, and no verdicts are swept into campaigns.",
        group=CONNECTIONS,
    )
    mongo_collection: str = setting(
        "phishing_reports",
        env="ML_MONGO_COLLECTION",
        parse=TEXT,
        help="collection of the reports",
        group=CONNECTIONS,
    )
    model_dir: Path = setting(
        Path("/app/models"),
        env="ML_MODEL_DIR",
        parse=PATH,
        help="the model registry (the shared volume)",
        group=RETRAINING,
    )
    models_keep: int = setting(
        10, env="ML_MODELS_KEEP", parse=positive(int), help="versions kept in the registry", group=RETRAINING
    )
    retrain_days: int = setting(
        30, env="ML_RETRAIN_DAYS", parse=positive(int), help="days of reports a retrain reads", group=RETRAINING
    )
    retrain_min_reports: int = setting(
        50,
        env="ML_RETRAIN_MIN_REPORTS",
        parse=positive(int),
        help="fewer labelled reports in the window: no model is trained",
        group=RETRAINING,
    )
    retrain_max_per_label: int = setting(
        25_000,
        env="ML_RETRAIN_MAX_PER_LABEL",
        parse=positive(int),
        help="newest labelled reports a retrain keeps per label (phishing, normal)",
        note="So a flood of one verdict cannot crowd the other class out; reading stops once both labels are full.",
        group=RETRAINING,
    )
    retrain_max_read: int = setting(
        1_000_000,
        env="ML_RETRAIN_MAX_READ",
        parse=positive(int),
        help="reports a retrain reads at most, newest first",
        group=RETRAINING,
    )
    retrain_read_time_limit_s: float = setting(
        300.0,
        env="ML_RETRAIN_READ_TIME_LIMIT_S",
        parse=positive(float),
        help="time limit of the report read; the reports read by then are kept",
        note="Sent as the server's `max_time_ms` and also kept by the reader, since not every MongoDB-wire server "
        "enforces it.",
        group=RETRAINING,
    )
    gate_tolerance: float = setting(
        0.01,
        env="ML_GATE_TOLERANCE",
        parse=FRACTION,
        help="how much lower a retrained model's MCC (or agreement with admin verdicts) may be and still ship",
        note="Also the margin of a rollout's automatic promotion on precision and recall.",
        group=RETRAINING,
    )
    auto_deploy: bool = setting(
        True,
        env="ML_AUTO_DEPLOY",
        parse=BOOLEAN,
        help="make a retrained model that passes the quality gate current",
        note="`false`: it is stored as a `candidate` version, for a rollout or a promotion by an operator.",
        group=RETRAINING,
    )
    run_mode: str = setting(
        "cron",
        env="ML_RUN_MODE",
        parse=choice("cron", "once"),
        help="`cron`: retrain on `ML_CRON_SCHEDULE`; `once`: one retrain right after beat starts",
        group=RETRAINING,
    )
    cron_schedule: str = setting(
        "0 2 * * 0",
        env="ML_CRON_SCHEDULE",
        parse=TEXT,
        help="five-field crontab (UTC) of the retrain",
        note="Minute, hour, day of month, month, day of week; a bad one stops beat and every role at start.",
        group=RETRAINING,
    )
    predict_timeout_s: float = setting(
        5.0,
        env="PREDICT_TIMEOUT_S",
        parse=positive(float),
        help="longest wait of `POST /predict`; its task expires after it",
        group=SERVING,
    )
    cache_ttl_s: int = setting(
        7 * 24 * 3600, env="CACHE_TTL_S", parse=positive(int), help="how long a score is reused", group=SERVING
    )
    hot_scores_ttl_s: float = setting(
        10.0,
        env="HOT_SCORES_TTL_S",
        parse=SECONDS_OR_OFF,
        help="how long a gateway process answers a text it answered before from its memory",
        group=SERVING,
    )
    result_ttl_s: int = setting(
        24 * 3600,
        env="RESULT_TTL_S",
        parse=positive(int),
        help="how long task and batch results are kept",
        group=SERVING,
    )
    visibility_timeout_s: int = setting(
        60,
        env="CELERY_VISIBILITY_TIMEOUT_S",
        parse=positive(int),
        help="a scoring task taken by a worker that died unannounced is redelivered after this long",
        note="The retrain is acknowledged when taken and never redelivered: a lost one runs at the next schedule.",
        group=SERVING,
    )
    scoring_time_limit_s: float = setting(
        30.0,
        env="SCORING_TIME_LIMIT_S",
        parse=positive(float),
        help="a scoring task's messages not scored by then fail with `timeout`",
        group=SERVING,
    )
    batch_chunk_attempts: int = setting(
        3,
        env="BATCH_CHUNK_ATTEMPTS",
        parse=positive(int),
        help="claims of a batch chunk by a worker before its messages fail `scoring_failed`",
        note="A chunk whose worker dies (killed, out of memory) or whose Redis calls fail is claimed again once its "
        "lease (`SCORING_TIME_LIMIT_S` + 5 s) runs out; a chunk that kills worker after worker fails after this many.",
        group=BATCHES,
    )
    batch_quota_messages: int = setting(
        100_000,
        env="BATCH_QUOTA_MESSAGES",
        parse=positive(int),
        help="messages one client may have in unfinished batch jobs (429 beyond)",
        group=BATCHES,
    )
    broker_memory_limit: float = setting(
        0.8,
        env="BATCH_BROKER_MEMORY_LIMIT",
        parse=SHARE,
        help="share of the broker's `maxmemory` above which batch jobs are refused (503); `/predict` keeps working",
        group=BATCHES,
    )
    api_key: str | None = setting(
        None,
        env="WEAVE_API_KEY",
        parse=TEXT,
        help="`X-API-Key` of the admin endpoints; unset, they answer 403",
        group=ACCESS,
    )
    secret_keys: tuple[str, ...] = setting(
        (),
        env="WEAVE_SECRET_KEYS",
        parse=SECRET_LIST,
        help="secrets, newest first, comma-separated: they key every hash of a text or number and seal task bodies "
        "and batch payloads in the broker",
        note="Required by the gateway, the workers, beat and Flower, the same list in every process; `make run` makes "
        "one and keeps it in `var/secret-keys`. To rotate, put a new secret first and drop the old one once the "
        "queues have drained: the newest seals and keys hashes, every one listed opens. A new first secret changes "
        "every hash: cached scores are scored again once and campaigns count senders anew.",
        shown="— (required)",
        group=ACCESS,
    )
    flower_basic_auth: str | None = setting(
        None, env="FLOWER_BASIC_AUTH", parse=BASIC_AUTH, help="Flower's login", group=ACCESS
    )
    log_format: str = setting(
        "text",
        env="LOG_FORMAT",
        parse=choice("text", "json"),
        help="`json`: one object per line (the stack's choice); `text`: readable lines",
        group=ACCESS,
    )
    rate_limit: str | None = setting(
        None,
        env="RATE_LIMIT",
        parse=RATE_LIMIT,
        help="per-client limit of the gateway, e.g. `100/second;5000/minute`; unset, no limit",
        note="Counted in `REDIS_URL`'s Redis, so it holds across processes and replicas; `/health`, `/metrics` and "
        "`/openapi.json` are exempt.",
        group=ACCESS,
    )
    trusted_proxies: tuple[str, ...] = setting(
        (),
        env="TRUSTED_PROXIES",
        parse=NETWORKS,
        help="addresses or networks of the proxies in front of the gateway, whose `X-Forwarded-For` names the client",
        note="The rate limit and the batch quota count per client. Behind a load balancer or Swarm's ingress every "
        "request comes from the proxy's address: list it here (e.g. `10.0.0.0/8`) and the client is the last "
        "address in `X-Forwarded-For` that is not a listed proxy. A request from anywhere else is counted by its "
        "own address, whatever its headers say, so a client cannot pick who it is counted as.",
        group=ACCESS,
    )
    campaigns: bool = setting(
        True, env="CAMPAIGNS", parse=BOOLEAN, help="group scored traffic into smishing campaigns", group=CAMPAIGNS
    )
    campaign_min_senders: int = setting(
        5,
        env="CAMPAIGN_MIN_SENDERS",
        parse=positive(int),
        help="distinct senders that make a group of near-identical messages a campaign",
        group=CAMPAIGNS,
    )
    campaign_window_s: int = setting(
        6 * 3600,
        env="CAMPAIGN_WINDOW_S",
        parse=positive(int),
        help="a campaign (and every key of it) silent this long is forgotten",
        group=CAMPAIGNS,
    )
    campaign_lone_ttl_s: int = setting(
        1800,
        env="CAMPAIGN_LONE_TTL_S",
        parse=positive(int),
        help="a text nothing else resembled (a group of one) is forgotten after this long",
        note="A group lives the whole window once a second message joins it.",
        group=CAMPAIGNS,
    )
    campaign_phishing_share: float = setting(
        0.5,
        env="CAMPAIGN_PHISHING_SHARE",
        parse=SHARE,
        help="share of a campaign's messages scored phishing that makes it a phishing campaign",
        group=CAMPAIGNS,
    )
    campaign_phishing_from: float = setting(
        0.8,
        env="CAMPAIGN_PHISHING_FROM",
        parse=SHARE,
        help="probability from which a member counts as scored phishing",
        group=CAMPAIGNS,
    )
    campaign_reporters: int = setting(
        3,
        env="CAMPAIGN_REPORTERS",
        parse=positive(int),
        help="distinct users whose reports give a campaign their verdict (an admin's alone is enough, and final)",
        note="They must also outnumber the users who reported it the other way. Reports without a reporter id count "
        "together as one anonymous reporter. Users' `normal` does not clear a campaign its scores make phishing.",
        group=CAMPAIGNS,
    )
    campaign_reports_per_hour: int = setting(
        20,
        env="CAMPAIGN_REPORTS_PER_HOUR",
        parse=positive(int),
        help="campaigns one user's reports count for in an hour; their reports on more count for nothing",
        group=CAMPAIGNS,
    )
    campaign_reports_interval_s: float = setting(
        30.0,
        env="CAMPAIGN_REPORTS_INTERVAL_S",
        parse=positive(float),
        help="how often the trainer sweeps new verdicts from MongoDB into campaigns",
        group=CAMPAIGNS,
    )
    campaign_examples_interval_s: float = setting(
        600.0,
        env="CAMPAIGN_EXAMPLES_INTERVAL_S",
        parse=positive(float),
        help="how often the trainer keeps the masked templates of active phishing campaigns for the retrain",
        group=CAMPAIGNS,
    )
    campaign_examples_weight: float = setting(
        0.3,
        env="CAMPAIGN_EXAMPLES_WEIGHT",
        parse=WEIGHT,
        help="a kept template's weight in a retrain, next to a report's 1; `0`: templates are neither kept nor used",
        group=CAMPAIGNS,
    )
    campaign_examples_max: int = setting(
        200,
        env="CAMPAIGN_EXAMPLES_MAX",
        parse=positive(int),
        help="templates a retrain uses at most, newest first",
        group=CAMPAIGNS,
    )
    reputation: bool = setting(
        True,
        env="REPUTATION",
        parse=BOOLEAN,
        help="keep the reputation of the domains and numbers texts link to or ask you to call, and answer by it",
        group=REPUTATION,
    )
    reputation_days: int | None = setting(
        None,
        env="REPUTATION_DAYS",
        parse=positive(int),
        help="a domain or number neither seen nor reported for this many days is forgotten",
        shown="`ML_RETRAIN_DAYS`'s value",
        group=REPUTATION,
    )
    reputation_reporters: int = setting(
        3,
        env="REPUTATION_REPORTERS",
        parse=positive(int),
        help="distinct users whose reports on texts holding a domain or number report it (an admin's alone is enough)",
        note="They must also outnumber the users who reported such texts the other way. Reports without a reporter id "
        "count together as one anonymous reporter.",
        group=REPUTATION,
    )
    reputation_reports_per_hour: int = setting(
        30,
        env="REPUTATION_REPORTS_PER_HOUR",
        parse=positive(int),
        help="domains and numbers one user's reports count for in an hour; their reports on more count for nothing",
        group=REPUTATION,
    )
    reputation_min_senders: int = setting(
        5,
        env="REPUTATION_MIN_SENDERS",
        parse=positive(int),
        help="distinct senders of texts holding a domain or number before its scores can make it `suspicious`",
        group=REPUTATION,
    )
    reputation_suspicious_share: float = setting(
        0.5,
        env="REPUTATION_SUSPICIOUS_SHARE",
        parse=SHARE,
        help="share of those senders who sent a text scored phishing (from `CAMPAIGN_PHISHING_FROM`) that makes it "
        "`suspicious`; scores never make it `reported`",
        group=REPUTATION,
    )
    rollout_check_interval_s: float = setting(
        30.0,
        env="ROLLOUT_CHECK_INTERVAL_S",
        parse=positive(float),
        help="how often beat sends the rollout check to the trainer",
        group=ROLLOUTS,
    )
    rollout_evidence_ttl_s: int = setting(
        7 * 24 * 3600,
        env="ROLLOUT_EVIDENCE_TTL_S",
        parse=positive(int),
        help="how long a rollout's per-message evidence and counts are kept",
        group=ROLLOUTS,
    )
    rollout_min_scored: int = setting(
        200,
        env="ROLLOUT_MIN_SCORED",
        parse=positive(int),
        help="messages the candidate must score before it can be aborted on its rates",
        group=ROLLOUTS,
    )
    rollout_max_error_rate: float = setting(
        0.01,
        env="ROLLOUT_MAX_ERROR_RATE",
        parse=FRACTION,
        help="candidate error rate above which the rollout is aborted",
        group=ROLLOUTS,
    )
    rollout_max_latency_ratio: float = setting(
        3.0,
        env="ROLLOUT_MAX_LATENCY_RATIO",
        parse=positive(float),
        help="candidate scoring time per message over the current model's above which the rollout is aborted",
        group=ROLLOUTS,
    )
    rollout_max_positive_rate_change: float = setting(
        0.05,
        env="ROLLOUT_MAX_POSITIVE_RATE_CHANGE",
        parse=FRACTION,
        help="largest difference of positive rates (candidate against current, same messages) before an abort",
        group=ROLLOUTS,
    )
    rollout_auto_promote: bool = setting(
        False,
        env="ROLLOUT_AUTO_PROMOTE",
        parse=BOOLEAN,
        help="promote a candidate that does no worse on enough reported messages",
        group=ROLLOUTS,
    )
    rollout_min_reports: int = setting(
        100,
        env="ROLLOUT_MIN_REPORTS",
        parse=positive(int),
        help="reported messages each version (candidate and current) must have scored before an automatic promotion",
        group=ROLLOUTS,
    )
    autoscale_service: str = setting(
        "weave-ml_ml-worker",
        env="AUTOSCALE_SERVICE",
        parse=TEXT,
        help="the Swarm service of the scoring workers that `weave-ml autoscale` sizes",
        group=SCALING,
    )
    autoscale_min_replicas: int = setting(
        1, env="AUTOSCALE_MIN_REPLICAS", parse=positive(int), help="fewest replicas the scaler sets", group=SCALING
    )
    autoscale_max_replicas: int = setting(
        8, env="AUTOSCALE_MAX_REPLICAS", parse=positive(int), help="most replicas the scaler sets", group=SCALING
    )
    autoscale_tasks_per_replica: int = setting(
        10,
        env="AUTOSCALE_TASKS_PER_REPLICA",
        parse=positive(int),
        help="backlog one replica is expected to carry",
        group=SCALING,
    )
    autoscale_cooldown_s: float = setting(
        60.0,
        env="AUTOSCALE_COOLDOWN_S",
        parse=positive(float),
        help="no change sooner than this after the scaler's last one",
        group=SCALING,
    )
    autoscale_interval_s: float = setting(
        5.0,
        env="AUTOSCALE_INTERVAL_S",
        parse=positive(float),
        help="how often the scaler reads the backlog",
        group=SCALING,
    )
    autoscale_docker_url: str = setting(
        "unix:///var/run/docker.sock",
        env="AUTOSCALE_DOCKER_URL",
        parse=DOCKER_URL,
        help="where the scaler reaches the Docker Engine API",
        note="The scaler's stack sets the socket proxy's address (`http://docker-api:2375`): the scaler itself never "
        "holds the engine's socket.",
        group=SCALING,
    )
    autoscale_metrics_port: int = setting(
        9102,
        env="AUTOSCALE_METRICS_PORT",
        parse=PORT,
        help="port of the scaler's `/metrics` (Prometheus) and `/healthz`",
        group=SCALING,
    )

    @property
    def cache_url(self) -> str:
        """Return the Redis URL of the score cache."""
        return self.cache_redis_url or self.redis_url

    @property
    def state_url(self) -> str:
        """Return the Redis URL of derived state (campaigns, reputation, rollout evidence)."""
        return self.state_redis_url or self.cache_url

    @property
    def reputation_ttl_s(self) -> int:
        """Return how long a reputation entry is kept after it was last seen or reported."""
        return (self.reputation_days or self.retrain_days) * 86400


@dataclass(frozen=True)
class Variable:
    """One setting as declared: its environment variable, attribute, parser, default and meaning."""

    env: str
    attribute: str
    parse: Parser[object]
    default: object
    help: str
    group: str
    note: str
    shown: str

    @classmethod
    def of(cls, declared: dataclasses.Field[Any]) -> Variable:
        """Read the declaration of a field of :class:`Settings`."""
        return cls(attribute=declared.name, default=declared.default, **declared.metadata)

    @property
    def default_text(self) -> str:
        """The default as the manual writes it."""
        if self.shown:
            return self.shown
        if self.default is None:
            return "unset"
        if isinstance(self.default, bool):
            return f"`{str(self.default).lower()}`"
        if isinstance(self.default, float):
            return f"`{self.default:g}`"
        return f"`{self.default}`"


# Environment variable → its declaration, in declaration order.
VARIABLES: dict[str, Variable] = {variable.env: variable for variable in map(Variable.of, dataclasses.fields(Settings))}


def from_env(environ: Mapping[str, str] | None = None) -> Settings:
    """Build settings from environment variables, raising :class:`ConfigError` naming the first bad one.

    A variable that is unset or empty leaves its setting at the default.
    """
    environ = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    for variable in VARIABLES.values():
        raw = environ.get(variable.env, "")
        if not raw:
            continue
        try:
            values[variable.attribute] = variable.parse(raw)
        except ValueError as exc:
            raise ConfigError(f"{variable.env}={raw!r} is not valid: {exc}") from None
    return Settings(**values)


def reference() -> str:
    """The configuration reference as Markdown: a table per group, in the order of the groups' first fields."""
    groups: dict[str, list[Variable]] = {}
    for variable in VARIABLES.values():
        groups.setdefault(variable.group, []).append(variable)
    lines: list[str] = []
    for group, variables in groups.items():
        lines += [f"## {group}", "", "| variable | default | accepts | meaning |", "| --- | --- | --- | --- |"]
        for variable in variables:
            meaning = f"{variable.help}. {variable.note}" if variable.note else variable.help
            cells = (f"`{variable.env}`", variable.default_text, variable.parse.accepts, meaning)
            lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
        lines.append("")
    return "\n".join(lines)


@functools.cache
def get_settings() -> Settings:
    """Return the process's settings, read from the environment on first use."""
    return from_env()

"""``weave-ml autoscale``: size the scoring service from what waits for it, within min/max, with a cool-down.

Every AUTOSCALE_INTERVAL_S the scaler reads the backlog (weave_ml.serving.queue_depth: every priority list of the
scoring queues plus tasks taken and not yet acknowledged), wants one replica per AUTOSCALE_TASKS_PER_REPLICA tasks of
it, and sets the Swarm service's replicas through the Docker Engine API (AUTOSCALE_DOCKER_URL, in the stack the socket
proxy of weave_ml.scaling.socket_proxy): up to what the backlog needs at once, down one replica at a time, never
sooner than AUTOSCALE_COOLDOWN_S after its last change, so a burst does not make the service flap.

It sizes only a service labelled ``weave-ml.autoscale=true`` and refuses any other (the broker, a typo), and leaves
alone a service an operator set to 0 replicas. Each refusal, pause or error is logged once, not at every step, and
counted; ``/metrics`` (Prometheus) and ``/healthz`` answer on AUTOSCALE_METRICS_PORT.
"""

from __future__ import annotations

import functools
import json
import logging
import math
import signal
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import redis
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Enum, Gauge, generate_latest

from weave_ml import logs
from weave_ml.connections import redis_client
from weave_ml.scaling.docker_engine import SCALABLE_LABEL, DockerEngine, DockerError, replicas_of, scalable
from weave_ml.serving.queue_depth import backlog
from weave_ml.settings import ConfigError, Settings, get_settings

log = logging.getLogger(__name__)

HOLD = "hold"
SCALE = "scale"
PAUSED = "paused"  # an operator set the service to 0 replicas: left alone
REFUSED = "refused"  # not a service the scaler may size (no label, no such service)
ERROR = "error"  # the broker or the engine failed the step
ACTIONS = (SCALE, HOLD, PAUSED, REFUSED, ERROR)


@dataclass(frozen=True)
class Policy:
    """AUTOSCALE_* settings: the bounds, the backlog a replica carries, the pause after a change."""

    min_replicas: int = 1
    max_replicas: int = 8
    tasks_per_replica: int = 10
    cooldown_s: float = 60.0

    def __post_init__(self) -> None:
        if not 1 <= self.min_replicas <= self.max_replicas:
            raise ConfigError(
                f"AUTOSCALE_MIN_REPLICAS={self.min_replicas} and AUTOSCALE_MAX_REPLICAS={self.max_replicas} "
                "are not valid: need 1 <= min <= max"
            )

    @classmethod
    def from_settings(cls, settings: Settings) -> Policy:
        return cls(
            min_replicas=settings.autoscale_min_replicas,
            max_replicas=settings.autoscale_max_replicas,
            tasks_per_replica=settings.autoscale_tasks_per_replica,
            cooldown_s=settings.autoscale_cooldown_s,
        )


@dataclass(frozen=True)
class Decision:
    action: str  # HOLD, SCALE or PAUSED
    replicas: int  # what the service should run
    reason: str


def wanted(waiting: int, policy: Policy) -> int:
    """The replicas a backlog needs, within the bounds."""
    return min(policy.max_replicas, max(policy.min_replicas, math.ceil(waiting / policy.tasks_per_replica)))


def plan(waiting: int, replicas: int, since_change_s: float, policy: Policy) -> Decision:
    """What to do with a service running ``replicas`` whose backlog is ``waiting``, ``since_change_s`` after the last
    change."""
    if replicas == 0:
        # The scaler never sets 0 (AUTOSCALE_MIN_REPLICAS is at least 1): someone stopped the workers on purpose.
        return Decision(PAUSED, 0, f"{waiting} tasks waiting, but the service is set to 0 replicas: left alone")
    target = wanted(waiting, policy)
    if target < replicas:
        target = replicas - 1  # down one at a time: a backlog that just drained often comes back
    if target == replicas:
        return Decision(HOLD, replicas, f"{waiting} tasks waiting: {replicas} replicas are right")
    if since_change_s < policy.cooldown_s:
        return Decision(
            HOLD,
            replicas,
            f"{waiting} tasks waiting would make it {target}, but the last change was {since_change_s:.0f} s ago "
            f"(cool-down {policy.cooldown_s:g} s)",
        )
    direction = "up" if target > replicas else "down"
    return Decision(SCALE, target, f"{waiting} tasks waiting: {direction} from {replicas} to {target} replicas")


class ScalerMetrics:
    """What ``/metrics`` shows of the scaler, in a registry of its own."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.replicas = Gauge("weave_autoscale_replicas", "Replicas the service is set to, as last read", registry=r)
        self.wanted = Gauge("weave_autoscale_wanted_replicas", "Replicas the last decision set or kept", registry=r)
        self.waiting = Gauge("weave_autoscale_backlog", "Scoring tasks waiting, as last read", registry=r)
        self.last_decision = Enum(
            "weave_autoscale_last_decision", "The last step's decision", states=list(ACTIONS), registry=r
        )
        self.decisions = Counter("weave_autoscale_decisions", "Steps, by decision", ["action"], registry=r)
        self.errors = Counter(
            "weave_autoscale_errors",
            "Steps that failed (kind broker, engine) or were refused (kind not_found, not_scalable)",
            ["kind"],
            registry=r,
        )
        self.last_step = Gauge("weave_autoscale_last_step_timestamp_seconds", "When the last step ended", registry=r)
        for action in ACTIONS:
            self.decisions.labels(action)  # every series from the start, so a rate() sees the first one
        for kind in ("broker", "engine", "not_found", "not_scalable"):
            self.errors.labels(kind)

    def record(self, action: str, error: str | None = None) -> None:
        self.last_decision.state(action)
        self.decisions.labels(action).inc()
        if error:
            self.errors.labels(error).inc()
        self.last_step.set_to_current_time()


class Scaler:
    """One service's scaler: reads the service and the backlog, decides, applies; says each problem once."""

    def __init__(
        self,
        broker: redis.Redis,
        engine: DockerEngine,
        service: str,
        policy: Policy,
        metrics: ScalerMetrics | None = None,
    ) -> None:
        self.broker = broker
        self.engine = engine
        self.service = service
        self.policy = policy
        self.metrics = metrics or ScalerMetrics()
        self.last_change = float("-inf")
        self.last_step_at = time.monotonic()  # the health check counts from the start until a first step ends
        self._said: str | None = None  # the problem last logged, so a lasting one is logged once

    def step(self) -> dict[str, Any]:
        """Decide once and apply the decision; return what was seen and done. A broker or engine error is raised."""
        service = self._read()
        if isinstance(service, tuple):
            kind, why = service
            self._say_once(logging.ERROR, f"refusing to scale {self.service}: {why}")
            self.metrics.record(REFUSED, kind)
            return {"service": self.service, "action": REFUSED, "reason": why}
        replicas = replicas_of(service)
        waiting = backlog(self.broker)
        decision = plan(waiting.total, replicas, time.monotonic() - self.last_change, self.policy)
        if decision.action == SCALE:
            self.engine.set_replicas(service, decision.replicas)
            self.last_change = time.monotonic()
            log.info("%s: %s", self.service, decision.reason)
        if decision.action == PAUSED:
            self._say_once(logging.WARNING, f"{self.service}: {decision.reason} until an operator sets it again")
        elif self._said is not None:
            log.info("%s: scaling again (%s)", self.service, decision.reason)
            self._said = None
        self.metrics.replicas.set(replicas)
        self.metrics.wanted.set(decision.replicas)
        self.metrics.waiting.set(waiting.total)
        self.metrics.record(decision.action)
        return {
            "service": self.service,
            "queued": waiting.queued,
            "unacked": waiting.unacked,
            "waiting": waiting.total,
            "replicas": replicas,
            "action": decision.action,
            "target": decision.replicas,
            "reason": decision.reason,
        }

    def tick(self) -> dict[str, Any]:
        """One step whatever happens: a failing broker or engine is logged (once while it lasts) and counted."""
        try:
            return self.step()
        except (redis.RedisError, DockerError) as exc:
            kind = "broker" if isinstance(exc, redis.RedisError) else "engine"
            self._say_once(logging.WARNING, f"autoscale step skipped ({kind}): {exc}")
            self.metrics.record(ERROR, kind)
            return {"service": self.service, "action": ERROR, "reason": str(exc)}
        finally:
            self.last_step_at = time.monotonic()

    def healthy(self, interval_s: float) -> bool:
        """Whether the loop is alive: a step ended within three intervals (and the time a slow engine may take)."""
        return time.monotonic() - self.last_step_at <= 3 * interval_s + 30

    def _read(self) -> dict[str, Any] | tuple[str, str]:
        """The service, when it is one the scaler may size; else the kind of refusal and why."""
        try:
            service = self.engine.service(self.service)
        except DockerError as exc:
            if exc.status not in (403, 404):
                raise
            # 404: no such service; 403: the socket proxy refused it (it serves labelled services only).
            return ("not_found" if exc.status == 404 else "not_scalable"), f"{exc}{self._scalable_ones()}"
        if not scalable(service):
            return "not_scalable", f"it is not labelled {SCALABLE_LABEL}=true{self._scalable_ones()}"
        return service

    def _say_once(self, level: int, text: str) -> None:
        if text != self._said:
            log.log(level, "%s", text)
            self._said = text

    def _scalable_ones(self) -> str:
        try:
            names = self.engine.scalable_services()
        except DockerError:
            return ""
        return f"; services labelled {SCALABLE_LABEL}=true: {', '.join(names) or 'none'}"


class _StatusHandler(BaseHTTPRequestHandler):
    server: StatusServer

    def do_GET(self) -> None:
        if self.path == "/metrics":
            status, content_type, body = 200, CONTENT_TYPE_LATEST, generate_latest(self.server.metrics.registry)
        elif self.path == "/healthz":
            alive = self.server.healthy()
            status, content_type = (200 if alive else 503), "application/json"
            body = json.dumps({"status": "alive" if alive else "stalled"}).encode()
        else:
            status, content_type, body = 404, "application/json", b'{"status": "not found"}'
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # a scrape every few seconds is not news


class StatusServer(ThreadingHTTPServer):
    """``/metrics`` and ``/healthz`` of the scaler, served from a thread of its own."""

    daemon_threads = True

    def __init__(self, address: tuple[str, int], metrics: ScalerMetrics, healthy: Callable[[], bool]) -> None:
        self.metrics, self.healthy = metrics, healthy
        super().__init__(address, _StatusHandler)

    def start(self) -> StatusServer:
        threading.Thread(target=self.serve_forever, name="autoscale-status", daemon=True).start()
        return self


def main(once: bool = False) -> int:
    """Run the scaler until stopped (or one step with ``once``); a failing Redis or engine is logged, not fatal."""
    settings = get_settings()
    logs.configure(settings.log_format)
    scaler = Scaler(
        redis_client(settings.redis_url),
        DockerEngine(settings.autoscale_docker_url),
        settings.autoscale_service,
        Policy.from_settings(settings),
    )
    if once:
        result = scaler.tick()
        print(json.dumps(result, ensure_ascii=False))
        return 0 if result["action"] in (SCALE, HOLD, PAUSED) else 1
    # As a container's PID 1 the process gets no default action for SIGTERM: `docker stop` would wait, then kill.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))
    healthy = functools.partial(scaler.healthy, settings.autoscale_interval_s)
    StatusServer(("0.0.0.0", settings.autoscale_metrics_port), scaler.metrics, healthy).start()
    log.info("scaling %s through %s", settings.autoscale_service, settings.autoscale_docker_url)
    while True:
        scaler.tick()
        time.sleep(settings.autoscale_interval_s)

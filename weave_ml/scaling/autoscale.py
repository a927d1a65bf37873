"""``weave-ml autoscale``: size the scoring service from what waits for it, within min/max, with a cool-down.

Every AUTOSCALE_INTERVAL_S the scaler reads the backlog (weave_ml.serving.queue_depth: every priority list of the
scoring queues plus tasks taken and not yet acknowledged), wants one replica per AUTOSCALE_TASKS_PER_REPLICA tasks of
it, and sets the Swarm service's replicas through the Docker Engine API: up to what the backlog needs at once, down
one replica at a time, never sooner than AUTOSCALE_COOLDOWN_S after its last change, so a burst does not make the
service flap.
"""

from __future__ import annotations

import json
import logging
import math
import time
from dataclasses import dataclass
from typing import Any

import redis

from weave_ml import logs
from weave_ml.connections import redis_client
from weave_ml.scaling.docker_engine import DockerEngine, DockerError
from weave_ml.serving.queue_depth import backlog
from weave_ml.settings import ConfigError, Settings, get_settings

log = logging.getLogger(__name__)

HOLD = "hold"
SCALE = "scale"


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
    action: str  # HOLD or SCALE
    replicas: int  # what the service should run
    reason: str


def wanted(waiting: int, policy: Policy) -> int:
    """The replicas a backlog needs, within the bounds."""
    return min(policy.max_replicas, max(policy.min_replicas, math.ceil(waiting / policy.tasks_per_replica)))


def plan(waiting: int, replicas: int, since_change_s: float, policy: Policy) -> Decision:
    """What to do with a service running ``replicas`` whose backlog is ``waiting``, ``since_change_s`` after the last
    change."""
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


class Scaler:
    """One service's scaler: reads the backlog and the replicas, decides, applies."""

    def __init__(self, broker: redis.Redis, engine: DockerEngine, service: str, policy: Policy) -> None:
        self.broker = broker
        self.engine = engine
        self.service = service
        self.policy = policy
        self.last_change = float("-inf")

    def step(self) -> dict[str, Any]:
        """Decide once and apply the decision; return what was seen and done."""
        waiting = backlog(self.broker)
        replicas = self.engine.replicas(self.service)
        decision = plan(waiting.total, replicas, time.monotonic() - self.last_change, self.policy)
        if decision.action == SCALE:
            self.engine.scale(self.service, decision.replicas)
            self.last_change = time.monotonic()
            log.info("%s: %s", self.service, decision.reason)
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


def main(once: bool = False) -> int:
    """Run the scaler until stopped (or one step with ``once``); a failing Redis or engine is logged, not fatal."""
    settings = get_settings()
    logs.configure(settings.log_format)
    scaler = Scaler(
        redis_client(settings.redis_url),
        DockerEngine(settings.docker_socket),
        settings.autoscale_service,
        Policy.from_settings(settings),
    )
    while True:
        try:
            result = scaler.step()
            if once:
                print(json.dumps(result, ensure_ascii=False))
                return 0
        except (redis.RedisError, DockerError) as exc:
            log.warning("autoscale step skipped: %s", exc)
            if once:
                return 1
        time.sleep(settings.autoscale_interval_s)

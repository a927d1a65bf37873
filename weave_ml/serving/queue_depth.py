"""How much scoring work really waits: every priority sub-list of the scoring queues, plus tasks taken but unfinished.

kombu's Redis transport keeps a queue as one list per priority step (``predict``, then ``predict\\x06\\x163``,
``…\\x166``, ``…\\x169``), so ``LLEN predict`` alone misses tasks sent with a priority; and a task a worker has taken
leaves the list for the ``unacked`` hash until it is acknowledged (scoring tasks are acknowledged late, when done).
The scaler and ``GET /metrics`` count both.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

import redis

from weave_ml.names import SCORING_QUEUES

# kombu.transport.redis: Channel.sep, PRIORITY_STEPS and Channel.unacked_key, the transport's defaults (this project
# sets none of them).
PRIORITY_SEPARATOR = "\x06\x16"
PRIORITY_STEPS = (0, 3, 6, 9)
UNACKED_KEY = "unacked"


def priority_lists(queue: str) -> list[str]:
    """Return the Redis lists that hold one queue: the queue's own name (priority 0) and one per other step."""
    return [queue, *(f"{queue}{PRIORITY_SEPARATOR}{step}" for step in PRIORITY_STEPS if step)]


@dataclass(frozen=True)
class Backlog:
    """Scoring tasks waiting per queue (every priority summed) and taken but not yet acknowledged."""

    queued: dict[str, int]
    unacked: int

    @property
    def total(self) -> int:
        return sum(self.queued.values()) + self.unacked


def backlog(client: redis.Redis, queues: Sequence[str] = SCORING_QUEUES) -> Backlog:
    """Read the backlog in one round trip (plus the reserved tasks, few: one per worker process)."""
    with client.pipeline(transaction=False) as pipe:
        for queue in queues:
            for name in priority_lists(queue):
                pipe.llen(name)
        pipe.hvals(UNACKED_KEY)
        *lengths, reserved = pipe.execute()
    per_queue = len(PRIORITY_STEPS)
    queued = {queue: sum(lengths[i * per_queue : (i + 1) * per_queue]) for i, queue in enumerate(queues)}
    unacked = 0
    for raw in reserved:
        try:
            routing_key = json.loads(raw)[2]
        except (ValueError, IndexError, TypeError):
            continue  # not kombu's [message, exchange, routing key]: not ours to count
        unacked += routing_key in queues
    return Backlog(queued=queued, unacked=unacked)

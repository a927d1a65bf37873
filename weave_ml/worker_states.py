"""What each scoring process serves, in one Redis hash: each process rewrites its entry every few seconds."""

from __future__ import annotations

import json
import time
from typing import Any

import redis

from weave_ml.names import WORKER_STATES_KEY

# A process rewrites its entry every few seconds; one that has not for this long is gone (killed, or cut off).
STALE_AFTER_S = 15.0


def process_field(hostname: str, pid: int) -> str:
    """Return the hash field of one process."""
    return f"{hostname}:{pid}"


def publish(client: redis.Redis, field: str, state: dict[str, Any]) -> None:
    """Write one process's state, stamped with the time it was written."""
    client.hset(WORKER_STATES_KEY, field, json.dumps({**state, "updated_at": time.time()}))


def withdraw(client: redis.Redis, field: str) -> None:
    """Remove one process's entry (it is stopping)."""
    client.hdel(WORKER_STATES_KEY, field)


def live(client: redis.Redis, now: float | None = None) -> list[dict[str, Any]]:
    """Return the states of the processes that wrote within :data:`STALE_AFTER_S`, and forget the others.

    One HGETALL whatever the keyspace holds; the entries of dead processes are deleted on the way, so the hash
    stays as small as the number of live processes. Timestamps are the writers' clocks: hosts must agree on the
    time to within seconds (NTP), far less than :data:`STALE_AFTER_S`.
    """
    now = time.time() if now is None else now
    found, stale = [], []
    for field, raw in client.hgetall(WORKER_STATES_KEY).items():
        try:
            state = json.loads(raw)
            fresh = now - float(state["updated_at"]) <= STALE_AFTER_S
        except (ValueError, KeyError, TypeError):
            fresh = False
        if fresh:
            found.append(state)
        else:
            stale.append(field)
    if stale:
        client.hdel(WORKER_STATES_KEY, *stale)
    return sorted(found, key=lambda state: (str(state.get("hostname")), state.get("pid") or 0))


def versions_served(states: list[dict[str, Any]]) -> list[str]:
    """Return the distinct model versions the given processes serve, newest first."""
    return sorted({state["model_version"] for state in states if state.get("model_version")}, reverse=True)

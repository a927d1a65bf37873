"""Registry changes the trainer makes for the gateway: sent as ``weave.registry_admin`` tasks, answered by outcome.

The trainer is the one process that may write the registry (the gateway mounts it read-only). A change is answered
with its outcome when the trainer makes it within :data:`WAIT_S` (milliseconds when it is up), otherwise with 202
and a status URL; rollbacks (``/admin/rollback``) and rollouts (``/admin/rollout``) share this path.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from typing import Any

from celery import states
from celery.result import AsyncResult

from api.contract import RegistryChangePending
from api.errors import ApiError, unavailable
from api.gateway import BROKER_ERRORS, current_gateway
from weave_ml.names import REGISTRY_ADMIN_TASK, REGISTRY_TASK_PREFIX
from weave_ml.registry import changes as registry_admin

WAIT_S = 5.0
POLL_S = 0.1
# A change the trainer has not taken by then (it is down) is dropped rather than applied by surprise later.
EXPIRES_S = 600
# How a change the trainer refused is answered.
STATUS_OF = {
    registry_admin.UNKNOWN_ACTION: 400,
    registry_admin.UNKNOWN_VERSION: 404,
    registry_admin.NOTHING_TO_ROLL_BACK: 409,
    registry_admin.INVALID_ROLLOUT: 409,
    registry_admin.ROLLOUT_IN_PROGRESS: 409,
    registry_admin.NO_ROLLOUT: 409,
    registry_admin.REGISTRY_NOT_WRITABLE: 503,
}


@dataclass(frozen=True)
class Outcome:
    """A change's task state, and the trainer's answer once it has made the change (else ``None``)."""

    state: str
    value: dict[str, Any] | None


def send(action: str, arguments: dict[str, Any]) -> str:
    """Queue one change for the trainer; return its task id (503 when the broker is down)."""
    gw = current_gateway()
    task_id = uuid.uuid4().hex
    try:
        # Remembered so that an unknown id is a 404, not "PENDING" for ever. Written first: it fails within a
        # second when Redis is down, before Celery's slower publish retries.
        gw.results.set(f"{REGISTRY_TASK_PREFIX}:{task_id}", "1", ex=gw.settings.result_ttl_s)
        gw.celery.send_task(
            REGISTRY_ADMIN_TASK, kwargs={"action": action, **arguments}, task_id=task_id, expires=EXPIRES_S
        )
    except BROKER_ERRORS as exc:
        raise unavailable(exc) from None
    return task_id


def is_known(task_id: str) -> bool:
    """Whether the gateway sent this change and its record has not expired."""
    try:
        return bool(current_gateway().results.exists(f"{REGISTRY_TASK_PREFIX}:{task_id}"))
    except BROKER_ERRORS as exc:
        raise unavailable(exc) from None


def outcome(task_id: str, wait_s: float) -> Outcome:
    """Wait up to ``wait_s`` for the trainer; a refused, dropped or failed change is raised as its ApiError."""
    gw = current_gateway()
    deadline = time.monotonic() + wait_s
    try:
        result = AsyncResult(task_id, app=gw.celery)
        # Polled, not result.get(): the result backend's subscriber is not safe to share between request threads.
        while (state := result.state) not in states.READY_STATES and time.monotonic() < deadline:
            time.sleep(POLL_S)
        value: Any = result.result if state in states.READY_STATES else None
    except BROKER_ERRORS as exc:
        raise unavailable(exc) from None
    if state == states.SUCCESS:
        if "error" in value:
            error = value["error"]
            raise ApiError(STATUS_OF.get(error["code"], 500), error["code"], error["message"])
        return Outcome(state, value)
    if state == states.REVOKED:
        raise ApiError(504, "not_applied", f"the trainer did not take the change within {EXPIRES_S} s: not made")
    if state in states.READY_STATES:
        raise ApiError(500, "registry_change_failed", f"the trainer failed to make the change: {value}")
    return Outcome(state, None)


def pending(task_id: str, state: str, status_url: str) -> tuple[RegistryChangePending, int]:
    """The 202 answer of a change the trainer has not made yet."""
    return RegistryChangePending(task_id=task_id, status_url=status_url, state=state), 202

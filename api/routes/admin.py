"""Admin endpoints behind X-API-Key: start a retrain and follow it, roll the current model back or forward."""

from __future__ import annotations

import hmac
import logging
import time
import uuid
from typing import Any

from celery import states
from celery.result import AsyncResult
from flask import Blueprint, request, url_for
from pydantic import BaseModel

from api.contract import (
    ErrorBody,
    RegistryChangePending,
    RetrainStarted,
    RetrainStatus,
    Rollback,
    RollbackRequest,
)
from api.errors import ApiError, unavailable
from api.gateway import BROKER_ERRORS, current_gateway
from api.openapi import answers, spec
from weave_ml import registry_admin
from weave_ml.names import REGISTRY_ADMIN_TASK, REGISTRY_TASK_PREFIX, RETRAIN_TASK, RETRAIN_TASK_PREFIX

log = logging.getLogger(__name__)

blueprint = Blueprint("admin", __name__, url_prefix="/admin")
# Every admin route answers these before it does anything else.
REFUSED = {"HTTP_401": ErrorBody, "HTTP_403": ErrorBody, "HTTP_429": ErrorBody}
ADMIN: list[dict[str, list[str]]] = [{"apiKey": []}]

# A registry change is answered with its outcome when the trainer applies it within this long (it takes
# milliseconds when the trainer is up), otherwise with 202 and a status URL.
REGISTRY_WAIT_S = 5.0
REGISTRY_POLL_S = 0.1
# A change the trainer has not taken by then (it is down) is dropped rather than applied by surprise later.
REGISTRY_CHANGE_EXPIRES_S = 600
# How a change the trainer refused is answered.
STATUS_OF = {
    registry_admin.UNKNOWN_ACTION: 400,
    registry_admin.UNKNOWN_VERSION: 404,
    registry_admin.NOTHING_TO_ROLL_BACK: 409,
    registry_admin.REGISTRY_NOT_WRITABLE: 503,
}
REGISTRY_ANSWERS: dict[str, type[BaseModel]] = {
    "HTTP_200": Rollback,
    "HTTP_202": RegistryChangePending,
    "HTTP_404": ErrorBody,
    **{f"HTTP_{status}": ErrorBody for status in (409, 500, 503, 504)},
}


@blueprint.before_request
def require_api_key() -> None:
    expected = current_gateway().settings.api_key
    if expected is None:
        raise ApiError(403, "admin_disabled", "admin endpoints are disabled: WEAVE_API_KEY is not set")
    given = request.headers.get("X-API-Key", "")
    if not hmac.compare_digest(given.encode(), expected.encode()):
        raise ApiError(401, "unauthorized", "missing or wrong X-API-Key header")


@blueprint.post("/retrain")
@spec.validate(resp=answers(HTTP_202=RetrainStarted, HTTP_503=ErrorBody, **REFUSED), security=ADMIN)
def start_retrain() -> Any:
    """Start a retrain on the training queue"""
    gw = current_gateway()
    task_id = uuid.uuid4().hex
    try:
        # Remembered so that an unknown id is a 404, not "PENDING" for ever. Written first: it fails within a
        # second when Redis is down, before Celery's slower publish retries.
        gw.results.set(f"{RETRAIN_TASK_PREFIX}:{task_id}", "1", ex=gw.settings.result_ttl_s)
        gw.celery.send_task(RETRAIN_TASK, kwargs={"trigger": "admin"}, task_id=task_id)
    except BROKER_ERRORS as exc:
        raise unavailable(exc) from None
    return RetrainStarted(task_id=task_id, status_url=url_for("admin.retrain_status", task_id=task_id)), 202


@blueprint.get("/retrain/<task_id>")
@spec.validate(resp=answers(HTTP_200=RetrainStatus, HTTP_404=ErrorBody, HTTP_503=ErrorBody, **REFUSED), security=ADMIN)
def retrain_status(task_id: str) -> Any:
    """A retrain's state: PENDING (queued), STARTED, SUCCESS with the run's summary, or FAILURE with why"""
    gw = current_gateway()
    try:
        if not gw.results.exists(f"{RETRAIN_TASK_PREFIX}:{task_id}"):
            raise ApiError(404, "not_found", f"no retrain task {task_id!r} (unknown or expired)")
        result = AsyncResult(task_id, app=gw.celery)
        state, value = result.state, result.result
    except BROKER_ERRORS as exc:
        raise unavailable(exc) from None
    return RetrainStatus(
        task_id=task_id,
        state=state,
        result=value if state == "SUCCESS" else None,
        error=str(value) if state == "FAILURE" else None,
    )


@blueprint.post("/rollback")
@spec.validate(resp=answers(**REGISTRY_ANSWERS, **REFUSED), security=ADMIN)
def rollback(json: RollbackRequest) -> Any:
    """Make a version current (a rollback, or the promotion of a candidate); default: the published one before.

    The trainer, the one process that may write the registry, moves the pointer and tells the workers; the answer
    waits a few seconds for it (200), or is a 202 with a status URL.
    """
    gw = current_gateway()
    if json.version is not None and json.version not in {meta["version"] for meta in gw.registry.versions()}:
        raise ApiError(404, "unknown_version", f"no model version {json.version!r} in the registry", field="version")
    task_id = uuid.uuid4().hex
    try:
        # Remembered so that an unknown id is a 404, not "PENDING" for ever; written first, as for a retrain.
        gw.results.set(f"{REGISTRY_TASK_PREFIX}:{task_id}", "1", ex=gw.settings.result_ttl_s)
        gw.celery.send_task(
            REGISTRY_ADMIN_TASK,
            kwargs={"action": registry_admin.ROLLBACK, "version": json.version},
            task_id=task_id,
            expires=REGISTRY_CHANGE_EXPIRES_S,
        )
    except BROKER_ERRORS as exc:
        raise unavailable(exc) from None
    return registry_change(task_id, REGISTRY_WAIT_S)


@blueprint.get("/registry/<task_id>")
@spec.validate(resp=answers(**REGISTRY_ANSWERS, **REFUSED), security=ADMIN)
def registry_status(task_id: str) -> Any:
    """The outcome of a registry change: as POST /admin/rollback answers it, or 202 while the trainer has not run it"""
    gw = current_gateway()
    try:
        known = gw.results.exists(f"{REGISTRY_TASK_PREFIX}:{task_id}")
    except BROKER_ERRORS as exc:
        raise unavailable(exc) from None
    if not known:
        raise ApiError(404, "not_found", f"no registry change {task_id!r} (unknown or expired)")
    return registry_change(task_id, 0.0)


def registry_change(task_id: str, wait_s: float) -> Any:
    """Answer a registry change by its task's state, waiting up to ``wait_s`` for the trainer to finish it."""
    gw = current_gateway()
    deadline = time.monotonic() + wait_s
    try:
        result = AsyncResult(task_id, app=gw.celery)
        # Polled, not result.get(): the result backend's subscriber is not safe to share between request threads.
        while (state := result.state) not in states.READY_STATES and time.monotonic() < deadline:
            time.sleep(REGISTRY_POLL_S)
        value: Any = result.result if state in states.READY_STATES else None
    except BROKER_ERRORS as exc:
        raise unavailable(exc) from None
    if state == states.SUCCESS:
        outcome: dict[str, Any] = value
        if "error" in outcome:
            error = outcome["error"]
            raise ApiError(STATUS_OF.get(error["code"], 500), error["code"], error["message"])
        log.info("admin moved the current model from %s to %s", outcome["previous_version"], outcome["current_version"])
        return Rollback(**outcome)
    if state == states.REVOKED:
        raise ApiError(
            504, "not_applied", f"the trainer did not take the change within {REGISTRY_CHANGE_EXPIRES_S} s: not made"
        )
    if state in states.READY_STATES:
        raise ApiError(500, "registry_change_failed", f"the trainer failed to make the change: {value}")
    status_url = url_for("admin.registry_status", task_id=task_id)
    return RegistryChangePending(task_id=task_id, status_url=status_url, state=state), 202

"""Admin endpoints behind X-API-Key: start a retrain and follow it, roll the current model back or forward."""

from __future__ import annotations

import hmac
import logging
import uuid
from typing import Any

from celery.result import AsyncResult
from flask import Blueprint, request, url_for
from pydantic import BaseModel

from api import registry_changes
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
from api.openapi import TAKES_JSON, answers, spec
from weave_ml.names import RETRAIN_TASK, RETRAIN_TASK_PREFIX
from weave_ml.registry import changes as registry_admin

log = logging.getLogger(__name__)

blueprint = Blueprint("admin", __name__, url_prefix="/admin")
# Every admin route answers these before it does anything else.
REFUSED = {"HTTP_401": ErrorBody, "HTTP_403": ErrorBody, "HTTP_429": ErrorBody}
ADMIN: list[dict[str, list[str]]] = [{"apiKey": []}]

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
@spec.validate(resp=answers(**REGISTRY_ANSWERS, **REFUSED, **TAKES_JSON), security=ADMIN)
def rollback(json: RollbackRequest) -> Any:
    """Make a version current (a rollback, or the promotion of a candidate); default: the published one before.

    The trainer, the one process that may write the registry, moves the pointer and tells the workers; the answer
    waits a few seconds for it (200), or is a 202 with a status URL.
    """
    gw = current_gateway()
    if json.version is not None and json.version not in {meta["version"] for meta in gw.registry.versions()}:
        raise ApiError(404, "unknown_version", f"no model version {json.version!r} in the registry", field="version")
    task_id = registry_changes.send(registry_admin.ROLLBACK, {"version": json.version})
    return registry_change(task_id, registry_changes.WAIT_S)


@blueprint.get("/registry/<task_id>")
@spec.validate(resp=answers(**REGISTRY_ANSWERS, **REFUSED), security=ADMIN)
def registry_status(task_id: str) -> Any:
    """The outcome of a registry change: as POST /admin/rollback answers it, or 202 while the trainer has not run it"""
    if not registry_changes.is_known(task_id):
        raise ApiError(404, "not_found", f"no registry change {task_id!r} (unknown or expired)")
    return registry_change(task_id, 0.0)


def registry_change(task_id: str, wait_s: float) -> Any:
    """Answer a registry change by its outcome, waiting up to ``wait_s`` for the trainer to make it."""
    done = registry_changes.outcome(task_id, wait_s)
    if done.value is None:
        return registry_changes.pending(task_id, done.state, url_for("admin.registry_status", task_id=task_id))
    log.info(
        "admin moved the current model from %s to %s", done.value["previous_version"], done.value["current_version"]
    )
    return Rollback(**done.value)

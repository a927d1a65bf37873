"""Admin endpoints behind X-API-Key: start a retrain and follow it, roll the current model back or forward."""

from __future__ import annotations

import hmac
import logging
import uuid
from typing import Any

from celery.result import AsyncResult
from flask import Blueprint, jsonify, request, url_for

from api.errors import ApiError
from api.gateway import BROKER_ERRORS
from api.routes.predict import gateway, unavailable
from api.validation import json_body
from weave_ml.names import RELOAD_COMMAND, RETRAIN_TASK, RETRAIN_TASK_PREFIX
from weave_ml.registry import RegistryError

log = logging.getLogger(__name__)

blueprint = Blueprint("admin", __name__, url_prefix="/admin")


@blueprint.before_request
def require_api_key() -> None:
    expected = gateway().settings.api_key
    if expected is None:
        raise ApiError(403, "admin_disabled", "admin endpoints are disabled: WEAVE_API_KEY is not set")
    given = request.headers.get("X-API-Key", "")
    if not hmac.compare_digest(given.encode(), expected.encode()):
        raise ApiError(401, "unauthorized", "missing or wrong X-API-Key header")


@blueprint.post("/retrain")
def start_retrain() -> Any:
    gw = gateway()
    task_id = uuid.uuid4().hex
    try:
        # Remembered so that an unknown id is a 404, not "PENDING" for ever. Written first: it fails within a
        # second when Redis is down, before Celery's slower publish retries.
        gw.results.set(f"{RETRAIN_TASK_PREFIX}:{task_id}", "1", ex=gw.settings.result_ttl_s)
        gw.celery.send_task(RETRAIN_TASK, kwargs={"trigger": "admin"}, task_id=task_id)
    except BROKER_ERRORS as exc:
        raise unavailable(exc) from None
    return jsonify({"task_id": task_id, "status_url": url_for("admin.retrain_status", task_id=task_id)}), 202


@blueprint.get("/retrain/<task_id>")
def retrain_status(task_id: str) -> Any:
    """The state of a retrain: PENDING (queued), STARTED, SUCCESS with the run's summary, or FAILURE with why."""
    gw = gateway()
    try:
        if not gw.results.exists(f"{RETRAIN_TASK_PREFIX}:{task_id}"):
            raise ApiError(404, "not_found", f"no retrain task {task_id!r} (unknown or expired)")
        result = AsyncResult(task_id, app=gw.celery)
        state, value = result.state, result.result
    except BROKER_ERRORS as exc:
        raise unavailable(exc) from None
    body: dict[str, Any] = {"task_id": task_id, "state": state}
    if state == "SUCCESS":
        body["result"] = value
    elif state == "FAILURE":
        body["error"] = str(value)
    return jsonify(body)


@blueprint.post("/rollback")
def rollback() -> Any:
    """Make {"version"} current (a rollback, or the promotion of a candidate); default: the previous published one."""
    body = json_body(request) if request.get_data() else {}
    if not isinstance(body, dict):
        raise ApiError(400, "invalid_body", 'expected a JSON object: {"version"?: str}')
    version = body.get("version")
    if version is not None and (not isinstance(version, str) or not version.strip()):
        raise ApiError(400, "invalid_field", "version must be a non-empty string", field="version")
    gw = gateway()
    previous = gw.registry.current_version()
    if version is not None and version not in {meta["version"] for meta in gw.registry.versions()}:
        raise ApiError(404, "unknown_version", f"no model version {version!r} in the registry", field="version")
    try:
        current = gw.registry.rollback(version)
    except RegistryError as exc:
        raise ApiError(409, "nothing_to_roll_back", str(exc)) from None
    except OSError as exc:  # e.g. the registry volume is mounted read-only in this container
        message = f"cannot move the model pointer in {gw.registry.root}: {exc}"
        raise ApiError(503, "registry_not_writable", message) from None
    try:
        gw.celery.control.broadcast(RELOAD_COMMAND)
    except BROKER_ERRORS as exc:  # workers still notice the moved pointer within seconds
        log.warning("reload of %s not broadcast: %s", current, exc)
    log.info("admin moved the current model from %s to %s", previous, current)
    return jsonify({"current_version": current, "previous_version": previous})

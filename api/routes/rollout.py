"""Rollout endpoints behind X-API-Key: start a candidate in shadow or canary mode, see its evidence, promote, abort.

Each change is made by the trainer (``weave.registry_admin``), the one process that may write the registry, as
``POST /admin/rollback`` is; the answer waits a few seconds for it, or is a 202 with a status URL.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, url_for

from api import registry_changes
from api.contract import ErrorBody, RegistryChangePending, RolloutChange, RolloutRequest, RolloutStatus
from api.errors import ApiError, unavailable
from api.gateway import BROKER_ERRORS, current_gateway
from api.openapi import TAKES_JSON, answers, spec
from api.routes.admin import ADMIN, REFUSED, require_api_key
from weave_ml.registry import changes as registry_admin
from weave_ml.registry.store import RegistryError
from weave_ml.rollouts import check as rollout_check
from weave_ml.rollouts.evidence import EvidenceStore

blueprint = Blueprint("rollout", __name__, url_prefix="/admin/rollout")
blueprint.before_request(require_api_key)

CHANGE_ANSWERS: dict[str, Any] = {
    "HTTP_200": RolloutChange,
    "HTTP_202": RegistryChangePending,
    **{f"HTTP_{status}": ErrorBody for status in (404, 409, 500, 503, 504)},
}


@blueprint.get("")
@spec.validate(resp=answers(HTTP_200=RolloutStatus, HTTP_503=ErrorBody, **REFUSED), security=ADMIN)
def status() -> Any:
    """The rollout in progress, what the workers measured per version, and the last automatic check"""
    gw = current_gateway()
    try:
        body = rollout_check.status(gw.registry, EvidenceStore(gw.state, gw.settings.rollout_evidence_ttl_s))
    except RegistryError as exc:
        raise ApiError(503, "model_unavailable", str(exc)) from None
    except BROKER_ERRORS as exc:
        raise unavailable(exc) from None
    return RolloutStatus.model_validate(body)


@blueprint.post("")
@spec.validate(resp=answers(**CHANGE_ANSWERS, **REFUSED, **TAKES_JSON), security=ADMIN)
def start(json: RolloutRequest) -> Any:
    """Start a rollout of a stored version: shadow (scored, never answering) or canary (answering a share)"""
    gw = current_gateway()
    # Refused here what is sure to be refused, without a round trip to the trainer.
    if json.candidate not in {meta["version"] for meta in gw.registry.versions()}:
        raise ApiError(
            404, "unknown_version", f"no model version {json.candidate!r} in the registry", field="candidate"
        )
    if json.candidate == gw.registry.current_version():
        raise ApiError(409, registry_admin.INVALID_ROLLOUT, f"{json.candidate} is already the current version")
    arguments = {"candidate": json.candidate, "mode": json.mode, "share": json.share}
    return change(registry_admin.ROLLOUT_START, arguments)


@blueprint.post("/promote")
@spec.validate(resp=answers(**CHANGE_ANSWERS, **REFUSED), security=ADMIN)
def promote() -> Any:
    """Make the rollout's candidate the current model and end the rollout"""
    return change(registry_admin.ROLLOUT_PROMOTE, {})


@blueprint.post("/abort")
@spec.validate(resp=answers(**CHANGE_ANSWERS, **REFUSED), security=ADMIN)
def abort() -> Any:
    """End the rollout: the current model answers everything again"""
    return change(registry_admin.ROLLOUT_ABORT, {})


@blueprint.get("/changes/<task_id>")
@spec.validate(resp=answers(**CHANGE_ANSWERS, **REFUSED), security=ADMIN)
def change_status(task_id: str) -> Any:
    """The outcome of a rollout change: as the change itself answers it, or 202 while the trainer has not made it"""
    if not registry_changes.is_known(task_id):
        raise ApiError(404, "not_found", f"no rollout change {task_id!r} (unknown or expired)")
    return answer(task_id, 0.0)


def change(action: str, arguments: dict[str, Any]) -> Any:
    """Send one rollout change to the trainer and answer its outcome (or 202 after a few seconds)."""
    gw = current_gateway()
    if action != registry_admin.ROLLOUT_START:
        try:
            in_progress = gw.registry.rollout()
        except RegistryError as exc:
            raise ApiError(503, "model_unavailable", str(exc)) from None
        if in_progress is None:
            raise ApiError(409, registry_admin.NO_ROLLOUT, "no rollout in progress")
    return answer(registry_changes.send(action, arguments), registry_changes.WAIT_S)


def answer(task_id: str, wait_s: float) -> Any:
    """Answer a rollout change by its outcome, waiting up to ``wait_s`` for the trainer to make it."""
    done = registry_changes.outcome(task_id, wait_s)
    if done.value is None:
        return registry_changes.pending(task_id, done.state, url_for("rollout.change_status", task_id=task_id))
    return RolloutChange.model_validate(done.value)

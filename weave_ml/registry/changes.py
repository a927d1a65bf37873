"""Changes of the model registry an operator asks for (rollback, promotion, rollouts), applied where it is writable.

The gateway mounts the registry read-only: it sends each change to the trainer as one task, ``weave.registry_admin``,
naming an action of :data:`ACTIONS` and its arguments, and answers with the outcome. An outcome is the action's
result, or ``{"error": {"code", "message"}}`` with a code of :data:`ERROR_CODES`.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Callable
from typing import Any

from weave_ml.registry.rollout_record import Rollout, RolloutError
from weave_ml.registry.store import Registry, RegistryError

log = logging.getLogger(__name__)

ROLLBACK = "rollback"
ROLLOUT_START = "rollout_start"
ROLLOUT_PROMOTE = "rollout_promote"
ROLLOUT_ABORT = "rollout_abort"

UNKNOWN_ACTION = "unknown_action"
UNKNOWN_VERSION = "unknown_version"
NOTHING_TO_ROLL_BACK = "nothing_to_roll_back"
REGISTRY_NOT_WRITABLE = "registry_not_writable"
INVALID_ROLLOUT = "invalid_rollout"
ROLLOUT_IN_PROGRESS = "rollout_in_progress"
NO_ROLLOUT = "no_rollout"
ERROR_CODES = (
    UNKNOWN_ACTION,
    UNKNOWN_VERSION,
    NOTHING_TO_ROLL_BACK,
    REGISTRY_NOT_WRITABLE,
    INVALID_ROLLOUT,
    ROLLOUT_IN_PROGRESS,
    NO_ROLLOUT,
)

Outcome = dict[str, Any]


def failure(code: str, message: str) -> Outcome:
    """Return the outcome of a change that was not made."""
    return {"error": {"code": code, "message": message}}


def rollback(registry: Registry, version: str | None = None) -> Outcome:
    """Make ``version`` current (a rollback, or the promotion of a candidate); default: the published one before."""
    previous = registry.current_version()
    if version is not None and version not in {meta["version"] for meta in registry.versions()}:
        return failure(UNKNOWN_VERSION, f"no model version {version!r} in the registry")
    try:
        current = registry.rollback(version)
    except RegistryError as exc:
        return failure(NOTHING_TO_ROLL_BACK, str(exc))
    except OSError as exc:
        return failure(REGISTRY_NOT_WRITABLE, f"cannot move the model pointer in {registry.root}: {exc}")
    log.info("the current model moved from %s to %s", previous, current)
    return {"current_version": current, "previous_version": previous}


def _rollout_of(registry: Registry) -> Rollout | Outcome:
    try:
        rollout = registry.rollout()
    except RegistryError as exc:
        return failure(INVALID_ROLLOUT, str(exc))
    return rollout if rollout is not None else failure(NO_ROLLOUT, "no rollout in progress")


def rollout_start(registry: Registry, candidate: str, mode: str, share: float | None = None) -> Outcome:
    """Begin a rollout of ``candidate`` in ``mode``; one at a time, and never of the current version."""
    current = registry.current_version()
    if candidate not in {meta["version"] for meta in registry.versions()}:
        return failure(UNKNOWN_VERSION, f"no model version {candidate!r} in the registry")
    if candidate == current:
        return failure(INVALID_ROLLOUT, f"{candidate} is already the current version")
    existing = _rollout_of(registry)
    if isinstance(existing, Rollout):
        return failure(ROLLOUT_IN_PROGRESS, f"{existing.candidate} is in {existing.mode}; promote or abort it first")
    try:
        rollout = Rollout.begin(candidate, mode, share, current)
        registry.set_rollout(rollout)
    except RolloutError as exc:
        return failure(INVALID_ROLLOUT, str(exc))
    except OSError as exc:
        return failure(REGISTRY_NOT_WRITABLE, f"cannot write the rollout record in {registry.root}: {exc}")
    log.info("rollout of %s started: %s, share %g", candidate, mode, rollout.share)
    return {"rollout": rollout.to_dict(), "current_version": current, "event": "started"}


def rollout_promote(registry: Registry, reason: str = "promoted by an operator") -> Outcome:
    """Make the rollout's candidate current and end the rollout."""
    rollout = _rollout_of(registry)
    if not isinstance(rollout, Rollout):
        return rollout
    previous = registry.current_version()
    try:
        registry.set_current(rollout.candidate)
        registry.set_rollout(None)
    except RegistryError as exc:
        return failure(UNKNOWN_VERSION, str(exc))
    except OSError as exc:
        return failure(REGISTRY_NOT_WRITABLE, f"cannot move the model pointer in {registry.root}: {exc}")
    log.info("rollout of %s promoted (%s); the current model was %s", rollout.candidate, reason, previous)
    return {
        "rollout": rollout.to_dict(),
        "current_version": rollout.candidate,
        "previous_version": previous,
        "event": "promoted",
        "reason": reason,
    }


def rollout_abort(registry: Registry, reason: str = "aborted by an operator") -> Outcome:
    """End the rollout; the current model keeps (or takes back) every answer."""
    rollout = _rollout_of(registry)
    if not isinstance(rollout, Rollout):
        return rollout
    try:
        registry.set_rollout(None)
    except OSError as exc:
        return failure(REGISTRY_NOT_WRITABLE, f"cannot remove the rollout record in {registry.root}: {exc}")
    log.warning("rollout of %s aborted: %s", rollout.candidate, reason)
    return {
        "rollout": rollout.to_dict(),
        "current_version": registry.current_version(),
        "event": "aborted",
        "reason": reason,
    }


ACTIONS: dict[str, Callable[..., Outcome]] = {
    ROLLBACK: rollback,
    ROLLOUT_START: rollout_start,
    ROLLOUT_PROMOTE: rollout_promote,
    ROLLOUT_ABORT: rollout_abort,
}


def carry_out(registry: Registry, action: str, arguments: dict[str, Any]) -> Outcome:
    """Run one action of :data:`ACTIONS` with its keyword arguments and return its outcome."""
    change = ACTIONS.get(action)
    if change is None:
        return failure(UNKNOWN_ACTION, f"no registry action {action!r} (known: {', '.join(sorted(ACTIONS))})")
    try:
        inspect.signature(change).bind(registry, **arguments)
    except TypeError as exc:
        return failure(UNKNOWN_ACTION, f"registry action {action!r} cannot take {sorted(arguments)}: {exc}")
    return change(registry, **arguments)

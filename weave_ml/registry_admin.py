"""Changes of the model registry an operator asks for (rollback, promotion), applied where the registry is writable.

The gateway mounts the registry read-only: it sends each change to the trainer as one task, ``weave.registry_admin``,
naming an action of :data:`ACTIONS` and its arguments, and answers with the outcome. An outcome is the action's
result, or ``{"error": {"code", "message"}}`` with a code of :data:`ERROR_CODES`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from weave_ml.registry import Registry, RegistryError

log = logging.getLogger(__name__)

ROLLBACK = "rollback"

UNKNOWN_ACTION = "unknown_action"
UNKNOWN_VERSION = "unknown_version"
NOTHING_TO_ROLL_BACK = "nothing_to_roll_back"
REGISTRY_NOT_WRITABLE = "registry_not_writable"
ERROR_CODES = (UNKNOWN_ACTION, UNKNOWN_VERSION, NOTHING_TO_ROLL_BACK, REGISTRY_NOT_WRITABLE)

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


ACTIONS: dict[str, Callable[..., Outcome]] = {ROLLBACK: rollback}


def apply(registry: Registry, action: str, arguments: dict[str, Any]) -> Outcome:
    """Run one action of :data:`ACTIONS` with its keyword arguments and return its outcome."""
    change = ACTIONS.get(action)
    if change is None:
        return failure(UNKNOWN_ACTION, f"no registry action {action!r} (known: {', '.join(sorted(ACTIONS))})")
    return change(registry, **arguments)

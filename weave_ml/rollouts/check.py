"""Judging a rollout: its status (what the workers measured, the reports' verdicts) and the automatic decision.

:func:`check` runs on the trainer, where the registry is writable (beat sends ``weave.rollout_check`` every
ROLLOUT_CHECK_INTERVAL_S): it joins the reports filed since the rollout began, decides (weave_ml.rollouts.decision),
aborts or promotes when the decision says so, and keeps its result in Redis for ``GET /admin/rollout`` and
``weave-ml rollout status``.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from typing import Any

import redis

from weave_ml import worker_states
from weave_ml.names import ROLLOUT_LAST_CHECK_KEY
from weave_ml.registry import changes as registry_admin
from weave_ml.registry.rollout_record import Rollout
from weave_ml.registry.store import Registry, RegistryError
from weave_ml.rollouts.decision import ABORT, PROMOTE, Bounds, Decision, VersionStats, judge
from weave_ml.rollouts.evidence import EvidenceStore, read_reports, reported_evidence
from weave_ml.settings import Settings

log = logging.getLogger(__name__)


def bounds_of(settings: Settings) -> Bounds:
    """The bounds a candidate must keep, from the ROLLOUT_* settings."""
    return Bounds(
        min_scored=settings.rollout_min_scored,
        max_error_rate=settings.rollout_max_error_rate,
        max_latency_ratio=settings.rollout_max_latency_ratio,
        max_positive_rate_change=settings.rollout_max_positive_rate_change,
        auto_promote=settings.rollout_auto_promote,
        min_reports=settings.rollout_min_reports,
        tolerance=settings.gate_tolerance,
    )


def measured(store: EvidenceStore, rollout: Rollout) -> dict[str, Any]:
    """What the workers measured: per version, and how often both versions decided alike."""
    stats, compared, agreed = store.stats(rollout)
    return {
        "versions": {version: counts.to_dict() for version, counts in sorted(stats.items())},
        "compared": compared,
        "agreement": agreed / compared if compared else None,
    }


def status(registry: Registry, store: EvidenceStore) -> dict[str, Any]:
    """The rollout in progress (or None), its measured evidence, and the last check's result."""
    rollout = registry.rollout()
    raw = store.client.get(ROLLOUT_LAST_CHECK_KEY)
    last_check = json.loads(raw) if raw else None
    return {
        "rollout": rollout.to_dict() if rollout else None,
        "current_version": registry.current_version(),
        "evidence": measured(store, rollout) if rollout else None,
        "last_check": last_check,
    }


def check(settings: Settings, registry: Registry, store: EvidenceStore) -> dict[str, Any]:
    """Judge the rollout in progress and act on the verdict; return what was found and done."""
    try:
        rollout = registry.rollout()
    except RegistryError as exc:
        return {"rollout": None, "error": str(exc)}
    if rollout is None:
        return {"rollout": None}
    current = registry.current_version() or ""
    stats, _, _ = store.stats(rollout)
    result: dict[str, Any] = {
        "checked_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "rollout": rollout.to_dict(),
        "current_version": current,
        "evidence": measured(store, rollout),
        "reports": None,
        "reports_error": None,
    }
    # Here, not at the top: the gateways show a rollout's status and never read MongoDB (nor import its client).
    from weave_ml.reports.mongo import ReportsUnavailable

    reported = None
    try:
        reported = reported_evidence(store, rollout, read_reports(settings, rollout))
        result["reports"] = {version: confusion.to_dict() for version, confusion in sorted(reported.items())}
    except ReportsUnavailable as exc:
        result["reports_error"] = str(exc)
    # A candidate that will not load scores nothing, so its rates would never leave their bounds: that is an error too.
    unloadable = [
        state
        for state in worker_states.live(store.client)
        if state.get("candidate_error") and not state.get("candidate_version")
    ]
    if unloadable:
        first = unloadable[0]
        decision = Decision(
            ABORT,
            f"candidate failed to load on {len(unloadable)} worker process(es), e.g. "
            f"{first.get('hostname')}:{first.get('pid')}: {first['candidate_error']}",
        )
    else:
        decision = judge(
            stats.get(rollout.candidate, VersionStats()),
            stats.get(current, VersionStats()),
            reported,
            candidate_version=rollout.candidate,
            current_version=current,
            started_against=rollout.current,
            bounds=bounds_of(settings),
        )
    result["decision"] = {"action": decision.action, "reason": decision.reason}
    if decision.action == ABORT:
        result["outcome"] = registry_admin.rollout_abort(registry, reason=f"automatic: {decision.reason}")
    elif decision.action == PROMOTE:
        result["outcome"] = registry_admin.rollout_promote(registry, reason=f"automatic: {decision.reason}")
    try:
        store.client.set(ROLLOUT_LAST_CHECK_KEY, json.dumps(result), ex=store.ttl_s)
    except redis.RedisError as exc:
        log.warning("rollout check not kept: %s", exc)
    return result

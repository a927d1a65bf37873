"""Liveness (GET /livez), readiness with real checks (GET /health), and the registry listing (GET /models…)."""

from __future__ import annotations

import copy
from typing import Any

from flask import Blueprint

from api.contract import ErrorBody, Health, Liveness, Models, ModelVersion
from api.errors import ApiError
from api.gateway import BROKER_ERRORS, current_gateway
from api.openapi import answers, spec
from weave_ml import worker_states
from weave_ml.registry.store import Registry, RegistryError

# What a worker says about a rollout's candidate; not a problem of /health: the rollout check aborts a candidate that
# will not load, and answers come from the current model meanwhile.
ROLLOUT_KEYS = ("candidate_version", "candidate_error")
blueprint = Blueprint("health", __name__)

# What /models shows of a version's training window: its span, not where the reports were read (hosts, collection).
PUBLIC_WINDOW_KEYS = ("days", "since", "until")


@blueprint.get("/livez")
@spec.validate(resp=answers(HTTP_200=Liveness))
def livez() -> Any:
    """Whether this gateway process answers; it checks nothing else (readiness is /health)"""
    return Liveness(status="alive")


@blueprint.get("/health")
@spec.validate(resp=answers(HTTP_200=Health, HTTP_503=Health))
def health() -> Any:
    """Readiness: real checks of the broker, the cache, the registry and the workers' models (503 when unhealthy)"""
    gw = current_gateway()
    version = gw.registry.current_version()
    meta: dict[str, Any] = {}
    if version:
        try:
            meta = gw.registry.metadata(version)
        except RegistryError:
            version = None
    body: dict[str, Any] = {
        "status": "healthy",
        "model_loaded": False,
        "model_path": str(gw.registry.model_path(version)) if version else None,
        "model_version": version,
        "vocabulary_size": meta.get("vocabulary_size"),
        "broker": "ok",
        "cache": "ok",
        "workers": [],
        "serving_versions": [],
        "problems": [],
    }
    try:
        gw.results.ping()
        workers = worker_states.live(gw.results)
    except BROKER_ERRORS as exc:
        body["broker"] = f"unreachable: {exc}"
        body["status"] = "unhealthy"
        body["problems"].append("the broker (Redis) does not answer")
        return Health.model_validate(body), 503
    try:
        gw.cache.client.ping()
    except BROKER_ERRORS as exc:
        body["cache"] = f"unreachable: {exc}"
        body["problems"].append("the score cache (Redis) does not answer: every message is scored again")
    body["workers"] = [
        {key: w.get(key) for key in ("hostname", "pid", "model_version", "error", "failed_version", *ROLLOUT_KEYS)}
        for w in workers
    ]
    body["serving_versions"] = worker_states.versions_served(workers)
    body["model_loaded"] = bool(body["serving_versions"])
    if version is None:
        body["problems"].append(f"no model published in {gw.registry.root}")
    if not workers:
        body["problems"].append("no scoring worker is online")
    elif not body["serving_versions"]:
        # Workers answer but none has a model yet (first start, still loading): requests would only queue.
        body["problems"].append("no worker serves a model yet")
    body["problems"].extend(
        f"worker {w['hostname']}:{w['pid']} cannot load {w['failed_version']}: {w['error']}"
        for w in workers
        if w.get("error")
    )
    body["problems"].extend(unknown_versions(workers, gw.registry))
    if version is None:
        body["status"] = "unhealthy"
    elif body["problems"]:
        body["status"] = "degraded"
    return Health.model_validate(body), 503 if body["status"] == "unhealthy" else 200


def unknown_versions(workers: list[dict[str, Any]], registry: Registry) -> list[str]:
    """Name each worker that serves (or tries as a candidate) a version this registry does not hold.

    Its answers carry a version whose thresholds this gateway cannot read (503 ``model_unavailable``): a worker of
    another stack consuming this broker, or a registry that lost a version the workers still serve.
    """
    versions = {str(w[key]) for w in workers for key in ("model_version", "candidate_version") if w.get(key)}
    unknown = {version for version in versions if not registry.holds(version)}
    problems = []
    for w in workers:
        for key, role in (("model_version", "serves"), ("candidate_version", "serves the candidate")):
            version = w.get(key)
            if version in unknown:
                problems.append(
                    f"worker {w['hostname']}:{w['pid']} {role} {version}, which is not in this registry "
                    f"({registry.root}): a worker of another stack on this broker, or a version removed from it"
                )
    return problems


@blueprint.get("/models")
@spec.validate(resp=answers(HTTP_200=Models))
def models() -> Any:
    """Every version in the registry with its metadata"""
    registry = current_gateway().registry
    versions = [public(meta) for meta in registry.versions()]
    return Models.model_validate({"current": registry.current_version(), "versions": versions})


@blueprint.get("/models/current")
@spec.validate(resp=answers(HTTP_200=ModelVersion, HTTP_404=ErrorBody))
def current_model() -> Any:
    """The current version's metadata"""
    registry = current_gateway().registry
    version = registry.current_version()
    if version is None:
        raise ApiError(404, "not_found", "no model has been published yet")
    return ModelVersion.model_validate({**public(registry.metadata(version)), "current": True})


def public(metadata: dict[str, Any]) -> dict[str, Any]:
    """Return a version's metadata without the infrastructure it names (the hosts its training reports came from)."""
    shown = copy.deepcopy(metadata)
    window = (shown.get("training_data") or {}).get("window")
    if isinstance(window, dict):
        shown["training_data"]["window"] = {key: window[key] for key in PUBLIC_WINDOW_KEYS if key in window}
    return shown

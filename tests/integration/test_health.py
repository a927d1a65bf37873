"""Readiness on a real Redis: /health is healthy only once a worker serves a model, and names a worker whose model
this registry does not hold."""

from __future__ import annotations

import os

import pytest

from api import create_app
from devstack.processes import CeleryWorker
from weave_ml import worker_states
from weave_ml.connections import redis_client
from weave_ml.registry.store import Registry
from weave_ml.settings import from_env
from weave_ml.training.train import publish

pytestmark = pytest.mark.integration


def test_health_is_degraded_until_a_worker_serves_a_model(make_stack):
    stack = make_stack()  # its databases and registry with a published model; no process started
    version = stack.registry.current_version()
    settings = from_env(stack.env)
    client = create_app(settings).test_client()
    results = redis_client(settings.redis_url)
    field = worker_states.process_field("scoring@test", os.getpid())
    state = {"hostname": "scoring@test", "pid": os.getpid(), "model_version": None, "error": None}

    assert "no scoring worker is online" in client.get("/health").get_json()["problems"]

    worker_states.publish(results, field, state)
    answer = client.get("/health")
    loading = answer.get_json()
    assert answer.status_code == 200 and loading["status"] == "degraded"
    assert loading["model_loaded"] is False
    assert "no worker serves a model yet" in loading["problems"]

    worker_states.publish(results, field, {**state, "model_version": version})
    ready = client.get("/health").get_json()
    assert ready["status"] == "healthy" and ready["model_loaded"] is True and ready["serving_versions"] == [version]


def test_health_names_a_worker_that_serves_a_version_this_registry_does_not_have(make_stack, seed_model, tmp_path):
    stack = make_stack()
    gateway = stack.gateway()
    stack.worker().wait_ready()
    assert gateway.get("/health").json()["status"] == "healthy"

    # A worker of another stack on the same broker: its registry holds a version this one never had.
    elsewhere = Registry(tmp_path / "elsewhere" / "models")
    foreign_version = publish(elsewhere, seed_model)
    foreign = CeleryWorker({**stack.env, "ML_MODEL_DIR": str(elsewhere.root)}, stack.logs, name="elsewhere")
    stack.processes.append(foreign)
    pid = foreign.wait_ready()["pid"]
    answer = gateway.get("/health")
    body = answer.json()
    assert answer.status_code == 200 and body["status"] == "degraded", body
    (problem,) = body["problems"]
    assert f":{pid} serves {foreign_version}, which is not in this registry" in problem

    foreign.stop()  # it withdraws its state as it stops
    assert gateway.get("/health").json()["status"] == "healthy"

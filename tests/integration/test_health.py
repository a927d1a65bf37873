"""Readiness on a real Redis: /health is healthy only once a worker serves a model."""

from __future__ import annotations

import os

from api import create_app
from weave_ml import worker_states
from weave_ml.connections import redis_client
from weave_ml.settings import from_env


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

"""The scaler's whole step on a real Redis against the replaying fake of the Docker engine: only labelled services,
an operator's 0 left alone, each problem said once, metrics and health over HTTP."""

from __future__ import annotations

import copy
import json
import logging
import threading
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest
import redis
from prometheus_client import generate_latest
from prometheus_client.parser import text_string_to_metric_families

from tests.unit.test_autoscale import POLICY, RECORDED, ReplayingEngine, engine_fixture  # noqa: F401 - fixture
from weave_ml.scaling.autoscale import PAUSED, REFUSED, SCALE, Scaler, StatusServer
from weave_ml.scaling.docker_engine import DockerEngine

pytestmark = pytest.mark.integration


@pytest.fixture
def broker(redis_server, redis_db) -> redis.Redis:
    return redis_server.client(redis_db)


def serve(tmp_path: Path, exchanges: list[dict[str, Any]]) -> ReplayingEngine:
    server = ReplayingEngine(str(tmp_path / "engine.sock"), exchanges)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def worker_at(replicas: int) -> list[dict[str, Any]]:
    """The recorded exchanges, with the scoring service set to ``replicas``."""
    exchanges = copy.deepcopy(json.loads(RECORDED.read_text())["exchanges"])
    exchanges[0]["response"]["body"]["Spec"]["Mode"]["Replicated"]["Replicas"] = replicas
    return exchanges


def posts(engine: ReplayingEngine) -> list[Any]:
    return [body for method, _, body in engine.received if method == "POST"]


def sample(scaler: Scaler, name: str, **labels: str) -> float:
    for family in text_string_to_metric_families(generate_latest(scaler.metrics.registry).decode()):
        for found in family.samples:
            if found.name == name and found.labels == labels:
                return float(found.value)
    raise AssertionError(f"no sample {name}{labels}")


def test_only_a_service_labelled_as_scoring_workers_is_scaled_and_a_refusal_is_said_once(engine, broker, caplog):
    caplog.set_level(logging.INFO, logger="weave_ml.scaling.autoscale")
    docker = DockerEngine(engine.url)
    for name, kind, why in (
        ("weave-ml_redis-broker", "not_scalable", "it is not labelled weave-ml.autoscale=true"),
        ("no-such-service", "not_found", "404 service no-such-service not found"),
    ):
        scaler = Scaler(broker, docker, name, POLICY)
        results = [scaler.tick() for _ in range(3)]
        assert [result["action"] for result in results] == [REFUSED] * 3
        said = [record for record in caplog.records if f"refusing to scale {name}" in record.getMessage()]
        assert len(said) == 1 and said[0].levelno == logging.ERROR
        assert why in said[0].getMessage()
        assert "services labelled weave-ml.autoscale=true: weave-ml_ml-worker" in said[0].getMessage()
        assert sample(scaler, "weave_autoscale_errors_total", kind=kind) == 3
        assert sample(scaler, "weave_autoscale_last_decision", weave_autoscale_last_decision=REFUSED) == 1
    assert not posts(engine)


def test_a_service_an_operator_set_to_zero_is_left_alone_until_it_runs_again(broker, tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="weave_ml.scaling.autoscale")
    broker.rpush("batch", *range(45))  # a backlog that would want 5 replicas
    engine = serve(tmp_path, worker_at(0))
    try:
        scaler = Scaler(broker, DockerEngine(engine.url), "weave-ml_ml-worker", POLICY)
        assert [scaler.tick()["action"] for _ in range(3)] == [PAUSED] * 3
        assert not posts(engine)
        said = [record.getMessage() for record in caplog.records if "set to 0 replicas" in record.getMessage()]
        assert len(said) == 1 and "left alone" in said[0]
        assert sample(scaler, "weave_autoscale_wanted_replicas") == 0

        engine.answers = ReplayingEngine.answers_of(worker_at(2))  # someone set it to 2 again
        resumed = scaler.tick()
        assert (resumed["action"], resumed["target"]) == (SCALE, 5)
        assert [spec["Mode"]["Replicated"]["Replicas"] for spec in posts(engine)] == [5]
        assert any("scaling again" in record.getMessage() for record in caplog.records)
    finally:
        engine.shutdown()
        engine.server_close()


def test_an_unreachable_engine_is_said_once_and_counted_at_every_step(broker, tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="weave_ml.scaling.autoscale")
    scaler = Scaler(broker, DockerEngine(f"unix://{tmp_path}/nothing.sock", timeout_s=1), "weave-ml_ml-worker", POLICY)
    assert [scaler.tick()["action"] for _ in range(4)] == ["error"] * 4
    assert len([record for record in caplog.records if "unreachable" in record.getMessage()]) == 1
    assert sample(scaler, "weave_autoscale_errors_total", kind="engine") == 4


def test_metrics_and_health_answer_over_http(engine, broker):
    scaler = Scaler(broker, DockerEngine(engine.url), "weave-ml_ml-worker", POLICY)
    server = StatusServer(("127.0.0.1", 0), scaler.metrics, lambda: scaler.healthy(interval_s=5)).start()
    address = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        assert scaler.tick()["action"] == SCALE  # nothing waits: down from 2 to 1
        with urllib.request.urlopen(f"{address}/metrics", timeout=5) as answer:
            text = answer.read().decode()
        assert "weave_autoscale_replicas 2.0" in text and "weave_autoscale_wanted_replicas 1.0" in text
        assert 'weave_autoscale_last_decision{weave_autoscale_last_decision="scale"} 1.0' in text
        assert 'weave_autoscale_decisions_total{action="scale"} 1.0' in text
        with urllib.request.urlopen(f"{address}/healthz", timeout=5) as answer:
            assert answer.status == 200
        scaler.last_step_at -= 60  # the loop stalled: no step for a minute
        with pytest.raises(urllib.error.HTTPError) as stalled:
            urllib.request.urlopen(f"{address}/healthz", timeout=5)
        assert stalled.value.code == 503
        stalled.value.close()
    finally:
        server.shutdown()
        server.server_close()

"""The scaler's decisions, its Docker Engine API calls against a replaying fake of the engine on a unix socket, and
its whole step on the machine's Redis: only labelled services, an operator's 0 left alone, each problem said once,
metrics and health over HTTP."""

from __future__ import annotations

import copy
import json
import logging
import socketserver
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest
import redis
from prometheus_client import generate_latest
from prometheus_client.parser import text_string_to_metric_families

from tests.unit.machine_redis import machine_redis
from weave_ml.scaling.autoscale import HOLD, PAUSED, REFUSED, SCALE, Policy, Scaler, StatusServer, plan, wanted
from weave_ml.scaling.docker_engine import DockerEngine, DockerError
from weave_ml.settings import ConfigError

RECORDED = Path(__file__).resolve().parents[1] / "data" / "docker_engine" / "scale_ml_worker.json"
POLICY = Policy(min_replicas=1, max_replicas=6, tasks_per_replica=10, cooldown_s=60)


def test_the_backlog_sets_the_replicas_within_the_bounds():
    assert [wanted(n, POLICY) for n in (0, 1, 10, 11, 35, 60, 500)] == [1, 1, 1, 2, 4, 6, 6]
    with pytest.raises(ConfigError, match="AUTOSCALE_MIN_REPLICAS=3"):
        Policy(min_replicas=3, max_replicas=2)


def test_up_at_once_down_one_at_a_time_never_within_the_cool_down():
    up = plan(waiting=45, replicas=1, since_change_s=float("inf"), policy=POLICY)
    assert (up.action, up.replicas) == (SCALE, 5) and "up from 1 to 5" in up.reason
    down = plan(waiting=0, replicas=5, since_change_s=120, policy=POLICY)
    assert (down.action, down.replicas) == (SCALE, 4)
    cooling = plan(waiting=45, replicas=2, since_change_s=10, policy=POLICY)
    assert (cooling.action, cooling.replicas) == (HOLD, 2) and "cool-down 60 s" in cooling.reason
    steady = plan(waiting=25, replicas=3, since_change_s=0, policy=POLICY)
    assert (steady.action, steady.replicas) == (HOLD, 3)
    floor = plan(waiting=0, replicas=1, since_change_s=999, policy=POLICY)
    assert floor.action == HOLD


def test_a_service_set_to_zero_replicas_is_left_alone_whatever_waits():
    paused = plan(waiting=500, replicas=0, since_change_s=float("inf"), policy=POLICY)
    assert (paused.action, paused.replicas) == (PAUSED, 0) and "set to 0 replicas" in paused.reason


class ReplayingEngine(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    """Answers each request with the recorded answer to the same method and path; keeps what it was sent."""

    daemon_threads = True

    def __init__(self, path: str, exchanges: list[dict[str, Any]]) -> None:
        self.answers = self.answers_of(exchanges)
        self.received: list[tuple[str, str, Any]] = []
        self.url = f"unix://{path}"
        super().__init__(path, _Handler)

    @staticmethod
    def answers_of(exchanges: list[dict[str, Any]]) -> dict[tuple[str, str], dict[str, Any]]:
        """The recorded answer to each (method, path); a service read by name answers by its id too, as the engine's
        ServiceInspect does."""
        answers = {(e["request"]["method"], e["request"]["path"]): e["response"] for e in exchanges}
        for (method, path), response in list(answers.items()):
            described = response.get("body")
            if method == "GET" and path.startswith("/v1.43/services/") and "ID" in (described or {}):
                answers.setdefault((method, f"/v1.43/services/{described['ID']}"), response)
        return answers


class _Handler(BaseHTTPRequestHandler):
    server: ReplayingEngine

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length)) if length else None
        self.server.received.append((self.command, self.path, body))
        recorded = self.server.answers.get((self.command, self.path)) or {
            "status": 404,
            "body": {"message": "page not found"},
        }
        if "text" in recorded:
            content_type, data = "text/plain; charset=utf-8", recorded["text"].encode()
        else:
            content_type, data = "application/json", json.dumps(recorded["body"]).encode()
        self.send_response(recorded["status"])
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = _answer

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def engine(tmp_path) -> Iterator[ReplayingEngine]:
    server = ReplayingEngine(str(tmp_path / "docker.sock"), json.loads(RECORDED.read_text())["exchanges"])
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_scaling_posts_the_spec_back_with_the_new_count_and_the_version_it_read(engine):
    docker = DockerEngine(engine.url)
    assert docker.replicas("weave-ml_ml-worker") == 2
    docker.scale("weave-ml_ml-worker", 5)
    (_, _, _), (_, _, _), (method, path, spec) = engine.received
    assert (method, path) == ("POST", "/v1.43/services/9mnpnzenvg8p8tdbtq4wvbkcz/update?version=19")
    recorded = json.loads(RECORDED.read_text())["exchanges"][0]["response"]["body"]["Spec"]
    assert spec["Mode"] == {"Replicated": {"Replicas": 5}}
    # Everything else is posted back as read: an update replaces the whole spec.
    assert {key: value for key, value in spec.items() if key != "Mode"} == {
        key: value for key, value in recorded.items() if key != "Mode"
    }


def test_engine_refusals_and_an_absent_engine_are_errors_with_the_engines_words(engine, tmp_path):
    docker = DockerEngine(engine.url)
    with pytest.raises(DockerError, match="404 service no-such-service not found") as missing:
        docker.replicas("no-such-service")
    assert missing.value.status == 404
    with pytest.raises(DockerError, match="not a replicated service"):
        docker.scale("weave-ml_ml-beat-global", 3)
    assert not any(method == "POST" for method, _, _ in engine.received)
    with pytest.raises(DockerError, match="unreachable"):
        DockerEngine(f"unix://{tmp_path}/nothing.sock", timeout_s=1).replicas("weave-ml_ml-worker")


@pytest.fixture
def broker() -> Iterator[redis.Redis]:
    yield from machine_redis(12)


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

"""The scaler's decisions, and its Docker Engine API calls against a replaying fake of the engine on a unix socket
(its whole step on a real Redis: tests/integration/test_autoscale.py)."""

from __future__ import annotations

import json
import socketserver
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest

from weave_ml.scaling.autoscale import HOLD, PAUSED, SCALE, Policy, plan, wanted
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


# tests/integration/test_autoscale.py imports this fixture by its function name; tests ask for it by ``name``.
@pytest.fixture(name="engine")
def engine_fixture(tmp_path) -> Iterator[ReplayingEngine]:
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

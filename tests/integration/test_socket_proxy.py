"""The socket proxy as a real process between the scaler and an engine (the replaying fake on a unix socket): the
scaler's calls go through, every other call is refused and never reaches the engine."""

from __future__ import annotations

import copy
import http.client
import json
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from devstack.processes import Process, free_port, wait_until
from tests.unit.test_autoscale import RECORDED, ReplayingEngine
from weave_ml.scaling.autoscale import REFUSED, SCALE, Policy, Scaler
from weave_ml.scaling.docker_engine import DockerEngine

pytestmark = pytest.mark.integration

WORKER, WORKER_ID = "weave-ml_ml-worker", "9mnpnzenvg8p8tdbtq4wvbkcz"
BROKER = "weave-ml_redis-broker"


class Proxied:
    """The fake engine, and the proxy process in front of it."""

    def __init__(self, engine: ReplayingEngine, proxy: Process, port: int) -> None:
        self.engine, self.proxy, self.port = engine, proxy, port
        self.url = f"http://127.0.0.1:{port}"

    def send(self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None) -> tuple[int, Any]:
        """Send one request exactly as given (no path clean-up on the way); return the status and the body (JSON data
        when it is JSON)."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            payload = body if isinstance(body, bytes) or body is None else json.dumps(body).encode()
            connection.request(method, path, body=payload, headers=headers or {})
            response = connection.getresponse()
            raw = response.read()
        finally:
            connection.close()
        if "json" not in (response.getheader("Content-Type") or ""):
            return response.status, raw.decode()
        return response.status, json.loads(raw) if raw else None


@pytest.fixture
def proxied(tmp_path) -> Iterator[Proxied]:
    engine = ReplayingEngine(str(tmp_path / "engine.sock"), json.loads(RECORDED.read_text())["exchanges"])
    threading.Thread(target=engine.serve_forever, daemon=True).start()
    port = free_port()
    argv = [sys.executable, "-m", "weave_ml.scaling.socket_proxy", "--listen", f"127.0.0.1:{port}"]
    proxy = Process([*argv, "--engine", engine.url], {"PATH": "/usr/bin:/bin"}, tmp_path / "proxy.log")
    setup = Proxied(engine, proxy, port)
    try:
        wait_until(lambda: _answers(setup), 20, "the socket proxy to answer")
        engine.received.clear()
        yield setup
    finally:
        proxy.stop()
        engine.shutdown()
        engine.server_close()


def _answers(setup: Proxied) -> bool:
    assert setup.proxy.alive(), setup.proxy.log()
    try:
        return setup.send("GET", "/v1.43/_ping")[0] == 200
    except OSError:
        return False


def worker_spec() -> dict[str, Any]:
    spec: dict[str, Any] = copy.deepcopy(json.loads(RECORDED.read_text())["exchanges"][0]["response"]["body"]["Spec"])
    return spec


def test_the_scalers_calls_go_through_the_proxy(proxied):
    docker = DockerEngine(proxied.url)
    assert docker.replicas(WORKER) == 2
    assert docker.scalable_services() == [WORKER]
    docker.scale(WORKER, 5)
    (method, path, spec) = proxied.engine.received[-1]
    assert (method, path) == ("POST", f"/v1.43/services/{WORKER_ID}/update?version=19")
    assert spec == {**worker_spec(), "Mode": {"Replicated": {"Replicas": 5}}}
    assert proxied.send("GET", "/v1.43/version")[1]["ApiVersion"] == "1.43"
    assert "GET /v1.43/services/weave-ml_ml-worker -> 200" in proxied.proxy.log()


def test_the_scaler_scales_its_workers_through_the_proxy_and_is_refused_the_broker(proxied, redis_server):
    broker = redis_server.client(990)
    broker.flushdb()
    docker = DockerEngine(proxied.url)
    scaled = Scaler(broker, docker, WORKER, Policy(1, 8, 10, 60)).tick()
    assert (scaled["action"], scaled["target"]) == (SCALE, 1)  # nothing waits: down from 2
    refused = Scaler(broker, docker, BROKER, Policy(1, 8, 10, 60)).tick()
    assert (
        refused["action"] == REFUSED
        and f"service {BROKER} is not labelled weave-ml.autoscale=true" in refused["reason"]
    )
    assert [path for method, path, _ in proxied.engine.received if method == "POST"] == [
        f"/v1.43/services/{WORKER_ID}/update?version=19"
    ]


def changed(**changes: Any) -> dict[str, Any]:
    """The worker's spec with 5 replicas and ``changes`` to its container spec."""
    spec = {**worker_spec(), "Mode": {"Replicated": {"Replicas": 5}}}
    spec["TaskTemplate"]["ContainerSpec"].update(changes)
    return spec


UPDATE = f"/v1.43/services/{WORKER}/update?version=19"
OTHER_CALLS = [
    ("GET", "/v1.43/containers/json", None),
    ("POST", "/v1.43/containers/create", {"Image": "debian", "HostConfig": {"Binds": ["/:/host"]}}),
    ("GET", "/v1.43/secrets", None),
    ("POST", "/v1.43/services/create", worker_spec()),
    ("DELETE", f"/v1.43/services/{WORKER}", None),
    ("GET", f"/v1.43/services/{WORKER}/logs", None),
    ("GET", f"/v1.43/services/{WORKER}/../../containers/json", None),
    ("GET", "/v1.43/services/..%2Fcontainers%2Fjson", None),
    ("GET", "/v1.43/../containers/json", None),
    ("GET", f"/v1.43/services/{BROKER}", None),  # its spec holds the broker's password
    ("POST", f"/v1.43/services/{BROKER}/update?version=11", {"Mode": {"Replicated": {"Replicas": 0}}}),
    ("POST", UPDATE, changed(Image="attacker/image:latest")),
    ("POST", UPDATE, changed(Mounts=[{"Type": "bind", "Source": "/var/run/docker.sock", "Target": "/s"}])),
    ("POST", UPDATE, {**worker_spec(), "Mode": {"Global": {}}}),
    ("POST", f"{UPDATE}&registryAuthFrom=previous-spec", changed()),
    ("POST", f"/v1.43/services/{WORKER}/update", changed()),
    ("POST", UPDATE, b"not json"),
    ("PUT", UPDATE, changed()),
    ("POST", "/v1.43/_ping", None),
]


@pytest.mark.parametrize(("method", "path", "body"), OTHER_CALLS, ids=[f"{m} {p}"[:70] for m, p, _ in OTHER_CALLS])
def test_every_other_call_is_refused_and_never_reaches_the_engine(proxied, method, path, body):
    status, answer = proxied.send(method, path, body)
    assert status == 403 and answer["message"].startswith("refused by the socket proxy"), answer
    assert "a-secret-of-the-broker" not in json.dumps(answer)
    # At most the proxy's own read of the service it was asked to change, never the call itself.
    assert all(method == "GET" and path.startswith("/v1.43/services/") for method, path, _ in proxied.engine.received)
    assert not any("update" in path for _, path, _ in proxied.engine.received)


def test_the_service_list_is_the_labelled_services_whatever_filter_was_asked_for(proxied):
    status, services = proxied.send("GET", '/v1.43/services?filters={"name":["weave-ml_redis-broker"]}')
    assert status == 200 and [service["Spec"]["Name"] for service in services] == [WORKER]
    (_, path, _) = proxied.engine.received[-1]
    assert path.endswith("filters=%7B%22label%22%3A%20%5B%22weave-ml.autoscale%3Dtrue%22%5D%7D")


def test_a_stale_update_a_chunked_body_and_an_unknown_service_get_the_right_errors(proxied):
    assert proxied.send("POST", f"/v1.43/services/{WORKER}/update?version=18", changed())[0] == 409
    chunked = proxied.send("POST", UPDATE, b"{}", headers={"Transfer-Encoding": "chunked"})
    assert chunked[0] == 411
    assert proxied.send("GET", "/v1.43/services/no-such-service") == (
        404,
        {"message": "service no-such-service not found"},
    )
    assert not any(method == "POST" for method, _, _ in proxied.engine.received)


def test_the_proxy_needs_nothing_but_the_standard_library():
    # It runs from a bare Python: the modules it imports, and the packages above them, import only the standard library.
    source = Path(__file__).resolve().parents[2] / "weave_ml"
    for module in ("__init__.py", "scaling/__init__.py", "scaling/socket_proxy.py", "scaling/docker_engine.py"):
        imports = [
            line.split()[1]
            for line in (source / module).read_text().splitlines()
            if line.startswith(("import ", "from ")) and line.split()[1] != "__future__"
        ]
        outside = [name for name in imports if name.split(".")[0] not in sys.stdlib_module_names]
        assert outside in ([], ["weave_ml.scaling.docker_engine"]), (module, outside)

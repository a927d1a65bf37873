"""Real processes for tests, benchmarks and the soak: private Redis and MongoDB, Celery workers, gateway, Flower."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pymongo
import redis
import requests
from prometheus_client.parser import text_string_to_metric_families

from devstack import ROOT, procfile
from weave_ml import worker_states

# The Procfile's commands (celery, python) are the ones beside this interpreter.
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until(condition: Callable[[], Any], timeout_s: float, what: str, interval_s: float = 0.05) -> Any:
    """Return the first true value ``condition()`` gives, calling it every ``interval_s`` for up to ``timeout_s``."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval_s)
    raise TimeoutError(f"timed out after {timeout_s} s waiting for {what}")


class Process:
    """A child process whose output goes to a log file, stopped politely then firmly."""

    def __init__(self, argv: list[str], env: Mapping[str, str], log_path: Path) -> None:
        self.log_path = log_path
        self._log = open(log_path, "ab")  # noqa: SIM115 - lives as long as the process
        self.popen = subprocess.Popen(argv, env=env, cwd=ROOT, stdout=self._log, stderr=subprocess.STDOUT)

    @property
    def pid(self) -> int:
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen.poll() is None

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def kill(self, sig: int = signal.SIGKILL) -> None:
        if self.alive():
            os.kill(self.pid, sig)
        self.popen.wait(timeout=30)
        self._log.close()

    def stop(self, timeout_s: float = 15) -> None:
        if self.alive():
            self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(timeout=timeout_s)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait(timeout=10)
        self._log.close()


class ProcfileProcess(Process):
    """A process of the Procfile, started from its own line with ``env`` filling the line's variables.

    ``prefix`` is a command that runs the line, e.g. ``unshare`` to give it a view of the filesystem of its own.
    """

    def __init__(self, name: str, env: Mapping[str, str], log_path: Path, prefix: Sequence[str] = ()) -> None:
        env = {**env, "PATH": f"{BIN}{os.pathsep}{env.get('PATH', '')}"}
        super().__init__([*prefix, *procfile.command(name)], env, log_path)


class RedisServer(Process):
    """A private redis-server on a free port that keeps nothing on disk, unless ``appendonly``: then every write goes
    to its append-only file in ``workdir`` at once, as the production broker's does (every second)."""

    def __init__(
        self, workdir: Path, port: int | None = None, password: str | None = None, appendonly: bool = False
    ) -> None:
        self.port = port or free_port()
        self.password = password
        workdir.mkdir(parents=True, exist_ok=True)
        argv = [
            "redis-server",
            "--port",
            str(self.port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "yes" if appendonly else "no",
            *(["--appendfsync", "always"] if appendonly else []),
            # Every stack of a test session takes two databases of the session's server.
            "--databases",
            "1000",
            "--dir",
            str(workdir),
            *(["--requirepass", password] if password else []),
        ]
        super().__init__(argv, dict(os.environ), workdir / f"redis-{self.port}.log")
        wait_until(self.ping, 10, f"redis-server on port {self.port}")

    def url(self, db: int = 0) -> str:
        credentials = f":{quote(self.password, safe='')}@" if self.password else ""
        return f"redis://{credentials}127.0.0.1:{self.port}/{db}"

    def client(self, db: int = 0) -> redis.Redis:
        return redis.Redis(port=self.port, db=db, password=self.password, socket_connect_timeout=0.2)

    def ping(self) -> bool:
        client = self.client()
        try:
            return bool(client.ping())
        except redis.RedisError:
            return False
        finally:
            client.close()  # a client left to the garbage collector warns of its socket in whichever test runs then


class MongoServer(Process):
    """``nx-27017`` as ``make run`` starts it, one SQLite file per database in a temporary folder."""

    def __init__(self, workdir: Path) -> None:
        self.port = free_port()
        workdir.mkdir(parents=True, exist_ok=True)
        argv = [str(BIN / "nx-27017"), "--port", str(self.port), "--data-dir", str(workdir / "data")]
        argv += ["--log-file", str(workdir / "nx-27017.log"), "--pid-file", str(workdir / "nx-27017.pid")]
        super().__init__(argv, dict(os.environ), workdir / "nx-27017.out")
        wait_until(self.ping, 20, f"nx-27017 on port {self.port}")

    def stop(self, timeout_s: float = 3) -> None:
        # nx-27017 may swallow SIGTERM while a client is connected; its data is disposable, so kill it soon.
        super().stop(timeout_s)

    def uri(self, database: str) -> str:
        return f"mongodb://127.0.0.1:{self.port}/{database}"

    def ping(self) -> bool:
        assert self.alive(), self.log()
        uri = self.uri("admin")
        client: pymongo.MongoClient[dict[str, Any]] = pymongo.MongoClient(uri, serverSelectionTimeoutMS=300)
        try:
            return bool(client.admin.command("ping")["ok"])
        except pymongo.errors.PyMongoError:
            return False
        finally:
            client.close()


class CeleryWorker(ProcfileProcess):
    """A Celery worker as the Procfile's ``worker`` (scoring) or ``trainer`` line starts it, named ``name@host``."""

    def __init__(
        self, env: Mapping[str, str], log_dir: Path, name: str, *, process: str = "worker", prefix: Sequence[str] = ()
    ) -> None:
        self.name = name
        self.node = f"{name}@{socket.gethostname()}"  # the Procfile's --hostname NAME@%h
        super().__init__(process, {**env, "WORKER_NAME": name}, log_dir / f"worker-{name}.log", prefix)
        self.results = redis.Redis.from_url(env["REDIS_URL"])

    def state(self) -> dict[str, Any] | None:
        """The model state this worker's scoring process last published, if any."""
        pids = self.pids()
        return next((state for state in worker_states.live(self.results) if state["pid"] in pids), None)

    def pids(self) -> set[int]:
        children = Path(f"/proc/{self.pid}/task/{self.pid}/children")
        found = {self.pid}
        if children.exists():
            found |= {int(p) for p in children.read_text().split()}
        return found

    def wait_ready(self, timeout_s: float = 60) -> dict[str, Any]:
        """Wait until the worker serves a model and consumes its queue."""
        state: dict[str, Any] = wait_until(
            lambda: self.alive() and self.state(), timeout_s, f"worker {self.name} to load a model"
        )
        wait_until(lambda: "ready." in self.log() or not self.alive(), timeout_s, f"worker {self.name} to be ready")
        assert self.alive(), self.log()
        return state


class Gateway(ProcfileProcess):
    """The gateway as the Procfile's ``api`` line starts it: granian (api.serve) with the production configuration."""

    def __init__(
        self, env: Mapping[str, str], log_dir: Path, processes: int = 1, threads: int = 16, prefix: Sequence[str] = ()
    ) -> None:
        self.port = free_port()
        # A fresh metrics folder per gateway, as `make run` gives its own: /metrics sums only this gateway's processes.
        self.metrics_dir = log_dir / f"gateway-{self.port}-metrics"
        env = {
            **env,
            "API_PORT": str(self.port),
            "GATEWAY_PROCESSES": str(processes),
            "GATEWAY_THREADS": str(threads),
            "PROMETHEUS_MULTIPROC_DIR": str(self.metrics_dir),
        }
        super().__init__("api", env, log_dir / f"gateway-{self.port}.log", prefix)
        self.url = f"http://127.0.0.1:{self.port}"
        self.session = requests.Session()
        try:
            wait_until(self._answers, 30, "the gateway to answer")
        except TimeoutError:
            self.stop()  # nobody else holds it yet: a gateway that never answered must not outlive the test
            raise

    def _answers(self) -> bool:
        assert self.alive(), self.log()
        try:
            return requests.get(f"{self.url}/health", timeout=5).status_code in (200, 503)
        except requests.RequestException:
            return False

    def post(self, path: str, body: Any = None, **kwargs: Any) -> requests.Response:
        return self.session.post(f"{self.url}{path}", json=body, timeout=kwargs.pop("timeout", 30), **kwargs)

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.session.get(f"{self.url}{path}", timeout=kwargs.pop("timeout", 30), **kwargs)

    def delete(self, path: str, **kwargs: Any) -> requests.Response:
        return self.session.delete(f"{self.url}{path}", timeout=kwargs.pop("timeout", 30), **kwargs)

    def stop(self, timeout_s: float = 15) -> None:
        self.session.close()
        super().stop(timeout_s)


class Flower(ProcfileProcess):
    """Flower started by the Procfile's own line: after a worker answers, with basic auth and a state file."""

    def __init__(
        self, env: Mapping[str, str], log_dir: Path, credentials: str = "ops:flower-test-secret", db: Path | None = None
    ) -> None:
        self.port = free_port()
        self.credentials = credentials
        self.db = db or log_dir / f"flower-{self.port}.db"
        env = {**env, "FLOWER_PORT": str(self.port), "FLOWER_DB": str(self.db), "FLOWER_BASIC_AUTH": credentials}
        super().__init__("flower", env, log_dir / f"flower-{self.port}.log")
        self.url = f"http://127.0.0.1:{self.port}"
        wait_until(self._answers, 90, "Flower to answer")
        # /healthcheck answers before Flower's event receiver has subscribed, and a task's events published before
        # that are lost for good (Redis pub/sub keeps nothing). A worker's heartbeat (every 2 s) that reached
        # Flower shows the subscription is live: only then may a test send the work it expects Flower to see.
        wait_until(self._receives_events, 30, "Flower to receive a worker's heartbeat", interval_s=0.2)

    def _answers(self) -> bool:
        assert self.alive(), self.log()
        try:
            return requests.get(f"{self.url}/healthcheck", timeout=2).status_code == 200
        except requests.ConnectionError:
            return False

    def _receives_events(self) -> bool:
        """Whether Flower has counted a worker online, which only a worker event it received does."""
        assert self.alive(), self.log()
        metrics = requests.get(f"{self.url}/metrics", timeout=2).text
        return any(
            sample.value == 1
            for family in text_string_to_metric_families(metrics)
            if family.name == "flower_worker_online"
            for sample in family.samples
        )

    @property
    def auth(self) -> tuple[str, str]:
        user, _, password = self.credentials.partition(":")
        return user, password

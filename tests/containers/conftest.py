"""The production images run as docker-compose.prod.yml defines each service, on host networking.

`.ci/containers` builds the images and names them in WEAVE_ML_INFERENCE_IMAGE and WEAVE_ML_TRAINER_IMAGE; without
them these tests are skipped (plain `make test` does not collect this folder: pyproject.toml's testpaths). Redis and
MongoDB run as private host processes on free loopback ports (the stack's Redis services are the official image, not
ours); every container uses host networking and listens on loopback only, so no byte leaves the machine.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from devstack import stackfile
from devstack.processes import MongoServer, RedisServer, free_port, wait_until

DOCKER = os.environ.get("DOCKER", "docker")
LABEL = "weave-ml.test-run"
ADMIN_KEY = "containers-admin-key"
# A worker killed mid-batch: its unacknowledged chunk comes back to the other worker after this many seconds.
VISIBILITY_TIMEOUT_S = 8
# The checks' own commands, timeouts and retries are the stack's; only how often they run is shortened.
HEALTH_INTERVAL_S = 2.0
APP_SERVICES = ("ml-inference", "ml-worker", "ml-trainer", "ml-beat", "flower")


def docker(*args: str, check: bool = True, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run one docker CLI command and return its outcome (raising with its output when ``check`` and it failed)."""
    done = subprocess.run([DOCKER, *args], capture_output=True, text=True, timeout=timeout, check=False)
    if check and done.returncode != 0:
        raise AssertionError(f"docker {' '.join(args[:3])} … exited {done.returncode}: {done.stderr}{done.stdout}")
    return done


class Topology:
    """The stack's application services as containers, with their Redis and MongoDB on loopback."""

    def __init__(self, workdir: Path, inference_image: str, trainer_image: str) -> None:
        self.run_id = os.environ.get("WEAVE_ML_TEST_RUN") or f"test-{os.getpid()}"
        self.redis = RedisServer(workdir / "redis", password=secrets.token_hex(12))
        self.mongo = MongoServer(workdir / "mongo")
        self.api_port = free_port()
        self.flower_port = free_port()
        self.flower_auth = f"ops:{secrets.token_hex(8)}"
        self.volumes = {name: f"{self.run_id}-{name}" for name in ("ml_models", "flower_data", "redis_broker_data")}
        self.containers: dict[str, list[str]] = {}
        self.stack = stackfile.read(
            {
                "ML_INFERENCE_IMAGE": inference_image,
                "ML_TRAINER_IMAGE": trainer_image,
                "REDIS_PASSWORD": self.redis.password or "",
                "MONGODB_URI": self.mongo.uri("weave"),
                "WEAVE_API_KEY": ADMIN_KEY,
                "WEAVE_SECRET_KEYS": secrets.token_urlsafe(32),
                "FLOWER_BASIC_AUTH": self.flower_auth,
                "CELERY_VISIBILITY_TIMEOUT_S": str(VISIBILITY_TIMEOUT_S),
                "LOG_FORMAT": "text",
            }
        )
        # The stack's addresses are service names on its overlay network; here they are loopback ports.
        self.replace_env = {
            "REDIS_URL": self.redis.url(0),
            "CACHE_REDIS_URL": self.redis.url(1),
            "STATE_REDIS_URL": self.redis.url(2),
            "API_PORT": str(self.api_port),
            "FLOWER_PORT": str(self.flower_port),
        }
        # Both servers bind every interface in the images (a container's port is published from there); with host
        # networking that would be the machine's, so they bind loopback.
        self.loopback_env = {
            "ml-inference": {"GRANIAN_HOST": "127.0.0.1"},
            "flower": {"FLOWER_ADDRESS": "127.0.0.1"},
        }
        for volume in self.volumes.values():
            docker("volume", "create", "--label", f"{LABEL}={self.run_id}", volume)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.api_port}"

    def argv(self, service: str, container: str) -> list[str]:
        """Return the `docker run` arguments of one replica of ``service``, generated from the stack file."""
        return stackfile.docker_run(
            service,
            self.stack,
            container=container,
            volume_names=self.volumes,
            replace_env=self.replace_env,
            loopback_env=self.loopback_env.get(service, {}),
            labels={LABEL: self.run_id},
            health_interval_s=HEALTH_INTERVAL_S,
        )

    def start(self, service: str) -> str:
        """Start one more replica of ``service``; return its container's name."""
        replicas = self.containers.setdefault(service, [])
        container = f"{self.run_id}-{service}-{len(replicas) + 1}"
        docker(*self.argv(service, container))
        replicas.append(container)
        return container

    def all_containers(self) -> list[str]:
        return [name for replicas in self.containers.values() for name in replicas]

    def inspect(self, container: str) -> dict[str, Any]:
        return dict(json.loads(docker("inspect", container).stdout)[0])

    def health(self, container: str) -> str:
        """Return the container's health status (``none`` when its service disables the check)."""
        state = self.inspect(container)["State"]
        if not state["Running"]:
            return f"not running ({state['Status']}, exit {state['ExitCode']})"
        return str(state.get("Health", {}).get("Status", "none"))

    def logs(self, container: str) -> str:
        done = docker("logs", container, check=False)
        return done.stdout + done.stderr

    def exec(self, container: str, *argv: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        return docker("exec", container, *argv, check=False, timeout=timeout)

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return requests.get(self.url + path, timeout=10, **kwargs)

    def post(self, path: str, body: Any = None, **kwargs: Any) -> requests.Response:
        return requests.post(self.url + path, json=body, timeout=30, **kwargs)

    def admin(self) -> dict[str, str]:
        return {"X-API-Key": ADMIN_KEY}

    def wait_healthy(self, containers: list[str], timeout_s: float = 180) -> None:
        def all_healthy() -> bool:
            states = {name: self.health(name) for name in containers}
            failed = {name: state for name, state in states.items() if state.startswith("not running")}
            assert not failed, f"{failed}\n" + "\n".join(self.logs(name)[-3000:] for name in failed)
            return all(state in {"healthy", "none"} for state in states.values())

        try:
            wait_until(all_healthy, timeout_s, "every container healthy", interval_s=1)
        except TimeoutError:
            states = {name: self.health(name) for name in containers}
            raise AssertionError(f"not all healthy after {timeout_s} s: {states}") from None

    def remove(self) -> None:
        """Remove every container and volume of this run, then stop Redis and MongoDB."""
        for container in self.all_containers():
            docker("rm", "--force", "--volumes", container, check=False)
        for volume in self.volumes.values():
            docker("volume", "rm", "--force", volume, check=False)
        self.redis.stop()
        self.mongo.stop()


@pytest.fixture(scope="session")
def topology(tmp_path_factory) -> Iterator[Topology]:
    """The whole application, as deploy.sh brings it up the first time.

    The trainer comes first, since the first container to mount the new model volume gives it the image folder's
    owner; then the gateway, two scoring workers (the stack's default replicas), beat and Flower boot while the
    trainer trains the first model inside its container (deploy.sh's `weave-ml train` on an empty volume), which the
    workers then load by themselves.
    """
    inference_image = os.environ.get("WEAVE_ML_INFERENCE_IMAGE")
    trainer_image = os.environ.get("WEAVE_ML_TRAINER_IMAGE")
    if not inference_image or not trainer_image:
        pytest.skip("no images to run: `make test-containers` builds them and names them for these tests")
    stack = Topology(tmp_path_factory.mktemp("containers"), inference_image, trainer_image)
    try:
        trainer = stack.start("ml-trainer")
        for service in ("ml-inference", "ml-worker", "ml-worker", "ml-beat", "flower"):
            stack.start(service)
        trained = stack.exec(trainer, "weave-ml", "train")
        assert trained.returncode == 0, trained.stdout + trained.stderr
        stack.wait_healthy(stack.all_containers())
        yield stack
    finally:
        if os.environ.get("WEAVE_ML_KEEP_CONTAINER_LOGS"):
            for container in stack.all_containers():
                Path(os.environ["WEAVE_ML_KEEP_CONTAINER_LOGS"], f"{container}.log").write_text(stack.logs(container))
        stack.remove()


def wait_for(condition: Any, timeout_s: float, what: str) -> Any:
    """wait_until with a coarser poll, for answers that take seconds."""
    return wait_until(condition, timeout_s, what, interval_s=0.5)

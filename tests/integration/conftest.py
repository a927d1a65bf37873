"""A real stack for integration tests: private redis-server, a model registry, Celery workers, gunicorn gateway."""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from devstack.processes import CeleryWorker, Gateway, RedisServer
from weave_ml import corpus
from weave_ml.registry import Registry
from weave_ml.training import publish, train_evaluated

_databases = itertools.count(1)


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path_factory.mktemp("redis"))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def seed_model(tmp_path_factory):
    """A model trained on a small seed corpus; each stack publishes it into a registry of its own."""
    return train_evaluated(corpus.generate(size=1500))


def new_registry(root: Path, trained) -> Registry:
    registry = Registry(root)
    publish(registry, trained)
    return registry


class Stack:
    """Settings of one isolated deployment: its own Redis databases, registry and log folder."""

    def __init__(self, redis_server: RedisServer, root: Path, trained) -> None:
        broker_db, cache_db = next(_databases), next(_databases)
        self.root = root
        self.logs = root / "logs"
        self.logs.mkdir(parents=True)
        self.registry = new_registry(root / "models", trained)
        self.env = {
            **os.environ,
            "REDIS_URL": redis_server.url(broker_db),
            "CACHE_REDIS_URL": redis_server.url(cache_db),
            "ML_MODEL_DIR": str(self.registry.root),
            "PREDICT_TIMEOUT_S": "3",
            "WEAVE_API_KEY": "test-admin-key",
        }
        self.processes: list = []
        self._workers = itertools.count(1)

    def worker(self, process: str = "worker") -> CeleryWorker:
        """Start the Procfile's ``worker`` (scoring) or ``trainer`` process."""
        role = "training" if process == "trainer" else "scoring"
        worker = CeleryWorker(self.env, self.logs, name=f"{role}{next(self._workers)}", process=process)
        self.processes.append(worker)
        return worker

    def gateway(self, **kwargs) -> Gateway:
        gateway = Gateway(self.env, self.logs, **kwargs)
        self.processes.append(gateway)
        return gateway

    def stop(self) -> None:
        for process in reversed(self.processes):
            process.stop()


@pytest.fixture
def make_stack(redis_server, seed_model, tmp_path) -> Iterator:
    """Build isolated stacks inside one test; every process is stopped afterwards."""
    stacks: list[Stack] = []

    def build() -> Stack:
        stack = Stack(redis_server, tmp_path / f"stack{len(stacks)}", seed_model)
        stacks.append(stack)
        return stack

    yield build
    for stack in stacks:
        stack.stop()


@pytest.fixture(scope="module")
def running_stack(redis_server, seed_model, tmp_path_factory) -> Iterator[Stack]:
    """One gateway and one worker shared by the tests of a module that do not disturb them."""
    stack = Stack(redis_server, tmp_path_factory.mktemp("stack"), seed_model)
    stack.worker().wait_ready()
    stack.gateway_process = stack.gateway()
    yield stack
    stack.stop()


@pytest.fixture(scope="module")
def gateway(running_stack) -> Gateway:
    return running_stack.gateway_process

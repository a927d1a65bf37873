"""A real stack for integration tests: private redis-server, a model registry, Celery workers, gunicorn gateway."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from celery import Celery

from api.contract import BatchStatus
from devstack.deployment import Deployment
from devstack.processes import CeleryWorker, Flower, Gateway, RedisServer
from weave_ml.names import BATCH_QUEUE, SCORE_BATCH_CHUNK_TASK
from weave_ml.serving import sealed_bodies
from weave_ml.serving.batches import BatchJobs
from weave_ml.training import corpus
from weave_ml.training.train import publish, train_evaluated

_databases = itertools.count(1)
ADMIN_KEY = "test-admin-key"


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path_factory.mktemp("redis"))
    yield server
    server.stop()


@pytest.fixture
def redis_db(redis_server) -> Iterator[int]:
    """A database of the session's Redis that no other test or stack uses, emptied afterwards."""
    db = next(_databases)
    yield db
    redis_server.client(db).flushdb()


@pytest.fixture(scope="session")
def seed_model(tmp_path_factory):
    """A model trained on a small seed corpus; each stack publishes it into a registry of its own."""
    return train_evaluated(corpus.generate(size=1500))


class Stack(Deployment):
    """One test's (or module's) deployment: two fresh databases of the session's Redis, the seed model published.

    Module fixtures keep the processes they start on it, by role.
    """

    gateway_process: Gateway
    trainer: CeleryWorker
    flower: Flower
    server: RedisServer

    def __init__(self, redis_server: RedisServer, root: Path, trained) -> None:
        settings = {"PREDICT_TIMEOUT_S": "3", "WEAVE_API_KEY": ADMIN_KEY}
        super().__init__(redis_server, root, broker_db=next(_databases), cache_db=next(_databases), settings=settings)
        publish(self.registry, trained)


def batch_status(response) -> dict:
    """A batch job's status from a GET of it, checked to be what the contract's models make of it, byte for byte: the
    gateway builds this body without validating it (api/routes/batch.py)."""
    assert response.status_code == 200, response.text
    assert response.content == BatchStatus.model_validate_json(response.content).model_dump_json().encode()
    return response.json()


def job_sender(stack: Stack) -> tuple[BatchJobs, redis.Redis]:
    """Batch jobs of ``stack``'s broker, their chunks published as the gateway publishes them (sealed tasks)."""
    sealed_bodies.install()
    celery = Celery(broker=stack.env["REDIS_URL"], set_as_current=False)
    celery.conf.update(task_serializer=sealed_bodies.NAME, accept_content=[sealed_bodies.NAME])

    def send(batch_id: str, chunk: int) -> None:
        celery.send_task(SCORE_BATCH_CHUNK_TASK, args=[batch_id, chunk], queue=BATCH_QUEUE, ignore_result=True)

    broker = redis.Redis.from_url(stack.env["REDIS_URL"])
    return BatchJobs(broker, 3600, send=send), broker


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

"""The broker transport against a real Redis: tasks published and read back as kombu's own transport would, with
one redis-py client per channel instead of one per command."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
import redis
from celery import Celery

from weave_ml.names import PREDICT_QUEUE, SCORE_MESSAGES_TASK
from weave_ml.serving import broker_transport
from weave_ml.settings import get_settings

pytestmark = pytest.mark.integration


@pytest.fixture
def client(redis_server, redis_db) -> redis.Redis:
    return redis_server.client(redis_db)


@pytest.fixture
def app(monkeypatch, redis_server, redis_db) -> Iterator[Celery]:
    """The service's Celery app on the test's database (settings read again: another test may have read them first)."""
    monkeypatch.setenv("REDIS_URL", redis_server.url(redis_db))
    get_settings.cache_clear()
    from workers.celery_app import create_celery_app

    app = create_celery_app()
    assert app.conf.broker_url.endswith(f"/{redis_db}")
    yield app
    get_settings.cache_clear()


def _publish(app: Celery, count: int) -> None:
    for n in range(count):
        app.send_task(SCORE_MESSAGES_TASK, args=[[{"n": n}], "reply"], queue=PREDICT_QUEUE, ignore_result=True)


def test_the_app_publishes_through_it_with_one_client_per_channel(app, client, monkeypatch):
    with app.connection_for_write() as connection:
        assert isinstance(connection.transport, broker_transport.Transport)
    _publish(app, 5)  # connections, declarations
    created = []
    original = redis.Redis.__init__

    def counting(self, *args, **kwargs):
        created.append(self)
        original(self, *args, **kwargs)

    monkeypatch.setattr(redis.Redis, "__init__", counting)
    _publish(app, 200)
    assert len(created) == 0  # kombu's own channel builds one a publish here
    queued = [json.loads(raw) for raw in client.lrange(PREDICT_QUEUE, 0, -1)]
    assert len(queued) == 205
    assert sorted(m["headers"]["id"] for m in queued) == sorted({m["headers"]["id"] for m in queued})


def test_a_channel_whose_pool_was_replaced_gets_a_client_of_the_new_pool(app):
    with app.connection_for_write() as connection:
        channel = connection.default_channel
        first = channel._create_client()
        assert channel._create_client() is first
        assert channel._create_client(asynchronous=True) is not first  # blocking commands keep their own
        channel._pool = None
        second = channel._create_client()
        assert second is not first and second.connection_pool is channel.pool
        assert second.ping()

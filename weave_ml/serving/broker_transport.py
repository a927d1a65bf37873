"""kombu's Redis transport, with one redis-py client per channel for its plain commands instead of one per command.

The stock channel builds a new ``redis.Redis`` around its connection pool for every publish, acknowledgement and
event (``Channel.conn_or_acquire``), and redis-py 5+ fills a table of about 170 response callbacks in each client's
constructor: measured here, that was 40% of the CPU of a ``send_task`` with its task-sent event (1.44 ms → 0.84 ms
a task, ``python -m bench.publish_probe``). A client holds no connection of its own (each command takes one from
the pool and gives it back), so one per channel is as safe as one per command. The blocking ``BRPOP`` and
``SUBSCRIBE`` clients are left as kombu makes them.

Celery uses it through ``broker_transport`` (workers.celery_app); the broker URL stays ``redis://…``.
"""

from __future__ import annotations

from typing import Any

from kombu.transport import redis as kombu_redis


class Channel(kombu_redis.Channel):
    """A kombu Redis channel that keeps its client for plain (non-blocking) commands."""

    def _create_client(self, asynchronous: bool = False) -> Any:
        if asynchronous:
            return super()._create_client(asynchronous=True)
        client = self.__dict__.get("_plain_client")
        # A channel whose pool was replaced (closed, then used again) gets a client of the new pool.
        if client is None or client.connection_pool is not self.pool:
            client = self.__dict__["_plain_client"] = super()._create_client()
        return client


class Transport(kombu_redis.Transport):
    """kombu's Redis transport with :class:`Channel`."""

    Channel = Channel

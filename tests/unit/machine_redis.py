"""A database of the machine's Redis (127.0.0.1:6379) for unit tests of code that is mostly Redis commands."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import redis


def machine_redis(db: int) -> Iterator[redis.Redis]:
    """Yield a client of database ``db``, emptied before and after; fail clearly when no Redis answers.

    Each test module keeps a database number of its own, so modules never see each other's keys.
    """
    client = redis.Redis(db=db)
    try:
        client.ping()
    except redis.ConnectionError:
        pytest.fail("these tests need the Redis server on 127.0.0.1:6379")
    client.flushdb()
    yield client
    client.flushdb()
    client.close()

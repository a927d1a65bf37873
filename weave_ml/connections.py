"""Redis clients with short timeouts, so a dead server is an error within about a second, not a hang."""

from __future__ import annotations

import redis


def redis_client(url: str) -> redis.Redis:
    """Return a client for ``url`` (passwords work through the URL) that fails fast when Redis is gone."""
    return redis.Redis.from_url(url, socket_connect_timeout=1.0, socket_timeout=5.0, health_check_interval=10)

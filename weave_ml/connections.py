"""Redis clients with short timeouts, so a dead server is an error within about a second, not a hang."""

from __future__ import annotations

from typing import Any

import redis

# Every Redis client of the service is made with these: the gateway's and workers' clients, Celery's broker and
# result connections, the rate limiter's storage. A caller that must give up sooner overrides one of them.
REDIS_OPTIONS: dict[str, Any] = {
    "socket_connect_timeout": 1.0,
    "socket_timeout": 5.0,
    # Catches a connection a restarted Redis dropped before a command is sent on it, not after.
    "health_check_interval": 10,
}


def as_text(value: object) -> str:
    """Return a value read from Redis (bytes: the clients do not decode) as text."""
    return value.decode() if isinstance(value, bytes) else str(value)


def redis_client(url: str, **overrides: Any) -> redis.Redis:
    """Return a client for ``url`` (passwords work through the URL) that fails fast when Redis is gone."""
    return redis.Redis.from_url(url, **{**REDIS_OPTIONS, **overrides})

"""Optional per-client rate limit of the gateway (``RATE_LIMIT``, e.g. ``100/second``), counted in Redis."""

from __future__ import annotations

from flask import Blueprint, Flask, request
from flask_limiter import Limiter

from weave_ml.connections import REDIS_OPTIONS
from weave_ml.names import RATE_LIMIT_PREFIX
from weave_ml.settings import Settings


def client_address() -> str:
    """The client a request is counted for: its address as gunicorn sees it."""
    return request.remote_addr or "unknown"


def install(app: Flask, settings: Settings, exempt: list[Blueprint]) -> Limiter | None:
    """Limit every route except the ``exempt`` blueprints' (health checks, scrapes) when RATE_LIMIT is set."""
    if not settings.rate_limit:
        return None
    limiter = Limiter(
        client_address,
        app=app,
        default_limits=[settings.rate_limit],
        # Counters live in Redis so every gunicorn process and gateway replica shares one budget per client.
        storage_uri=settings.redis_url,
        # A counter that takes longer than a second is let through (swallow_errors) rather than slowing the request.
        storage_options={**REDIS_OPTIONS, "socket_timeout": 1},
        strategy="fixed-window",
        key_prefix=RATE_LIMIT_PREFIX,
        headers_enabled=True,
        # Without Redis the request goes on to its own fast 503 rather than failing inside the limiter.
        swallow_errors=True,
    )
    for blueprint in exempt:
        limiter.exempt(blueprint)
    return limiter

"""Optional per-client rate limit of the gateway (``RATE_LIMIT``, e.g. ``100/second``), counted in Redis."""

from __future__ import annotations

import ipaddress

from flask import Blueprint, Flask, current_app, request
from flask_limiter import Limiter

from weave_ml.connections import REDIS_OPTIONS
from weave_ml.names import RATE_LIMIT_PREFIX
from weave_ml.settings import Settings


def client_address() -> str:
    """The client a request is counted for: its address, or, from a trusted proxy, the one the proxy names.

    ``X-Forwarded-For`` is read from the right (the address the nearest proxy saw) past every trusted proxy; what a
    client wrote to the left of that is never believed.
    """
    peer = request.remote_addr or "unknown"
    trusted = current_app.extensions["weave_trusted_proxies"]
    if not trusted or not _within(peer, trusted):
        return peer
    forwarded = [part.strip() for part in request.headers.get("X-Forwarded-For", "").split(",") if part.strip()]
    for address in reversed(forwarded):
        if not _within(address, trusted):
            return address
    return forwarded[0] if forwarded else peer


def trusted_networks(settings: Settings) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    """The networks of TRUSTED_PROXIES."""
    return [ipaddress.ip_network(network, strict=False) for network in settings.trusted_proxies]


def _within(address: str, networks: list[ipaddress.IPv4Network | ipaddress.IPv6Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def install(app: Flask, settings: Settings, exempt: list[Blueprint]) -> Limiter | None:
    """Limit every route except the ``exempt`` blueprints' (health checks, scrapes) when RATE_LIMIT is set."""
    app.extensions["weave_trusted_proxies"] = trusted_networks(settings)
    if not settings.rate_limit:
        return None
    limiter = Limiter(
        client_address,
        app=app,
        default_limits=[settings.rate_limit],
        # Counters live in Redis so every gateway process and replica shares one budget per client.
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

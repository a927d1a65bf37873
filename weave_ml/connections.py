"""Redis clients with short timeouts, so a dead server is an error within about a second, not a hang."""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from importlib import resources
from typing import Any

import redis
from redis.commands.core import Script
from redis.exceptions import NoScriptError
from redis.typing import EncodableT

# One script call: the script and its arguments (the service's scripts declare no KEYS).
ScriptCall = tuple[Script, Sequence[EncodableT]]

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


def by_position(client: redis.Redis, key: str, positions: Sequence[int] | None = None) -> dict[int, bytes | str]:
    """Return the fields of a hash keyed by position (a batch job's), all of them or those of ``positions`` that
    exist, by position."""
    if positions is None:
        return {int(position): value for position, value in client.hgetall(key).items()}
    values = client.hmget(key, [str(position) for position in positions]) if positions else []
    return {position: value for position, value in zip(positions, values, strict=True) if value is not None}


def redis_client(url: str, **overrides: Any) -> redis.Redis:
    """Return a client for ``url`` (passwords work through the URL) that fails fast when Redis is gone."""
    return redis.Redis.from_url(url, **{**REDIS_OPTIONS, **overrides})


def lua_script(client: redis.Redis, package: str, name: str) -> Script:
    """Return the Redis script kept in the file ``name`` beside ``package``'s modules, registered with ``client``.

    Scripts are ``.lua`` files whose header names their keys and arguments; calling the returned object runs it by
    its SHA (EVALSHA), loading it first where the server does not have it yet (after a restart, say).
    """
    return client.register_script(lua_source(package, name))


# A line of a script that stands for a file of helper functions beside this module (``*.lib.lua``).
_INCLUDE = re.compile(r"^-- include: (?P<name>[\w.]+\.lib\.lua)$", re.MULTILINE)


@functools.cache
def lua_source(package: str, name: str) -> str:
    """Return the text of the script ``name`` beside ``package``'s modules, with its included helpers in place."""
    source = resources.files(package).joinpath(name).read_text(encoding="utf-8")
    return _INCLUDE.sub(lambda line: _library(line["name"]), source)


def _library(name: str) -> str:
    return resources.files("weave_ml").joinpath(name).read_text(encoding="utf-8")


def run_scripts(client: redis.Redis, calls: Sequence[ScriptCall]) -> list[Any]:
    """Run scripts in one round trip (EVALSHA, pipelined), in order, and return their replies.

    A script the server does not have (restarted since) is loaded and run on its own; the others ran already, so
    none runs twice. redis-py's own pipelined scripts would cost a ``SCRIPT EXISTS`` round trip every time.
    """
    if len(calls) == 1:
        script, args = calls[0]
        return [script(args=args)]
    with client.pipeline(transaction=False) as pipe:
        for script, args in calls:
            pipe.evalsha(script.sha, 0, *args)
        replies: list[Any] = pipe.execute(raise_on_error=False)
    for position, reply in enumerate(replies):
        if isinstance(reply, NoScriptError):
            script, args = calls[position]
            replies[position] = script(args=args)
        elif isinstance(reply, Exception):
            raise reply
    return replies

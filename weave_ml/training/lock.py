"""The retrain lock: one retrain per deployment, held in Redis, or in a file beside the registry without Redis."""

from __future__ import annotations

import contextlib
import fcntl
import logging
from collections.abc import Iterator
from pathlib import Path

import redis

from weave_ml.connections import redis_client
from weave_ml.names import RETRAIN_LOCK_KEY

# A run taking longer is stopped; the lock outlives it a little so a stuck run never overlaps the next one.
TIME_LIMIT_S = 30 * 60
LOCK_TTL_S = TIME_LIMIT_S + 120

log = logging.getLogger(__name__)

LOCK_FILE = ".retrain.lock"


@contextlib.contextmanager
def redis_lock(client: redis.Redis, ttl_s: float) -> Iterator[bool]:
    """Hold the deployment-wide lock; yield False when another process holds it.

    The TTL frees the lock of a process that died mid-run; it must exceed the longest run.
    """
    lock = client.lock(RETRAIN_LOCK_KEY, timeout=ttl_s, blocking=False)
    if not lock.acquire():
        yield False
        return
    try:
        yield True
    finally:
        try:
            lock.release()
        except redis.exceptions.LockError as exc:  # expired and maybe taken: someone else's now
            log.warning("retrain lock was lost before the run ended: %s", exc)


@contextlib.contextmanager
def file_lock(model_dir: Path) -> Iterator[bool]:
    """Hold an exclusive ``flock`` on a file in the registry folder; the kernel frees it if the process dies."""
    model_dir.mkdir(parents=True, exist_ok=True)
    with open(model_dir / LOCK_FILE, "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextlib.contextmanager
def retrain_lock(redis_url: str, model_dir: Path, ttl_s: float) -> Iterator[bool]:
    """Hold the retrain lock in Redis when it answers, else (a CLI run without Redis) the registry's file lock."""
    client = redis_client(redis_url)
    try:
        client.ping()
    except (redis.RedisError, OSError) as exc:
        log.warning("Redis does not answer (%s); locking %s instead", exc, model_dir / LOCK_FILE)
        with file_lock(model_dir) as held:
            yield held
        return
    with redis_lock(client, ttl_s) as held:
        yield held

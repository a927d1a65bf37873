"""Worker states in one hash and cache look-ups over several versions, in a real Redis."""

from __future__ import annotations

import time

import pytest
import redis

from weave_ml import worker_states
from weave_ml.model.predictions import Score
from weave_ml.names import WORKER_STATES_KEY
from weave_ml.serving.cache import ScoreCache

pytestmark = pytest.mark.integration


@pytest.fixture
def client(redis_server, redis_db) -> redis.Redis:
    return redis_server.client(redis_db)


def state(pid: int, version: str | None) -> dict:
    return {"hostname": "node", "pid": pid, "model_version": version, "error": None, "failed_version": None}


def test_live_states_are_read_in_one_hash_and_dead_processes_are_forgotten(client):
    worker_states.publish(client, worker_states.process_field("node", 2), state(2, "v2"))
    worker_states.publish(client, worker_states.process_field("node", 1), state(1, "v1"))
    worker_states.publish(client, worker_states.process_field("node", 3), state(3, None))  # still loading
    client.hset(WORKER_STATES_KEY, "node:9", b"not json")
    later = time.time() + 1
    assert [s["pid"] for s in worker_states.live(client, now=later)] == [1, 2, 3]
    assert client.hlen(WORKER_STATES_KEY) == 3  # the unreadable entry is gone
    assert worker_states.versions_served(worker_states.live(client)) == ["v2", "v1"]

    # Processes that stopped writing: gone from the list and from the hash on the next read.
    assert worker_states.live(client, now=later + worker_states.STALE_AFTER_S) == []
    assert client.hlen(WORKER_STATES_KEY) == 0


def test_a_stopping_process_withdraws_its_entry(client):
    field = worker_states.process_field("node", 7)
    worker_states.publish(client, field, state(7, "v1"))
    worker_states.withdraw(client, field)
    assert worker_states.live(client) == []


def test_cache_look_ups_take_the_first_version_that_has_a_score(client):
    cache = ScoreCache(client, 60)
    old, new = (Score(f"sha256:{n:064x}", 0.25, ("계좌",), "old") for n in (1, 2))
    newer = Score(old.message_hash, 0.75, ("송금",), "new")
    cache.store_many([old, new, newer])
    found = cache.lookup(["new", "old"], [old.message_hash, new.message_hash, f"sha256:{3:064x}"])
    assert found == [newer, new, None]
    assert cache.lookup(["old"], [old.message_hash]) == [old]
    assert cache.lookup([], [old.message_hash]) == [None]

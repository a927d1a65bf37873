"""Batch job records in Redis (the machine's server, database 12): results by position, failures, quotas, size."""

from __future__ import annotations

import pytest

from tests.unit.machine_redis import machine_redis
from weave_ml.batches import BatchStore
from weave_ml.scoring import OperatingPoints, Score

# Every score in these tests comes from "v1", which decides with the thresholds of versions that predate their own.
POINTS = {"v1": OperatingPoints.from_metadata({})}.__getitem__


@pytest.fixture
def client():
    yield from machine_redis(12)


def status_of(store: BatchStore, batch_id: str) -> dict:
    found = store.status(batch_id, POINTS)
    assert found is not None
    return found


def score(position: int) -> Score:
    return Score(f"sha256:{position:064x}", 0.9 if position % 2 else 0.1, ("단축 URL 포함",), "v1")


def test_results_come_back_in_input_order_with_ids_and_each_sensitivity(client):
    store = BatchStore(client, 60)
    store.create("b1", ["x", None, "z"], ["low", "medium", "high"], {1: score(1)}, owner="c")
    assert status_of(store, "b1")["status"] == "running"  # the cache hit is a result already
    store.record_scores("b1", {0: score(0), 2: score(2)})
    status = status_of(store, "b1")
    assert (status["status"], status["done"], status["failed"]) == ("done", 3, 0)
    assert [r["index"] for r in status["results"]] == [0, 1, 2]
    assert [r.get("id") for r in status["results"]] == ["x", None, "z"]
    assert [r["sensitivity_level"] for r in status["results"]] == ["low", "medium", "high"]
    assert [r["cached"] for r in status["results"]] == [False, True, False]


def test_a_failure_never_overwrites_a_score_and_a_job_fails_only_when_every_message_did(client):
    store = BatchStore(client, 60)
    store.create("b2", [None] * 3, ["medium"] * 3, {}, owner="c")
    assert status_of(store, "b2")["status"] == "queued"
    store.record_scores("b2", {0: score(0)})
    store.record_failure("b2", [0, 1, 2], "timeout")
    status = status_of(store, "b2")
    assert (status["status"], status["done"], status["failed"]) == ("done", 3, 2)
    assert "error" not in status["results"][0] and status["results"][1]["error"]["code"] == "timeout"
    store.create("b3", [None] * 2, ["medium"] * 2, {}, owner="c")
    store.record_failure("b3", [0, 1], "scoring_failed")
    assert status_of(store, "b3")["status"] == "failed"


def test_unfinished_messages_are_counted_per_owner_and_ended_jobs_forgotten(client):
    store = BatchStore(client, 60)
    store.create("a", [None] * 5, ["medium"] * 5, {}, owner="one")
    store.create("b", [None] * 3, ["medium"] * 3, {0: score(0)}, owner="one")
    store.create("c", [None] * 7, ["medium"] * 7, {}, owner="two")
    assert store.unfinished_messages("one") == 5 + 2
    store.record_scores("a", {i: score(i) for i in range(5)})
    assert store.unfinished_messages("one") == 2
    assert client.zcard("weave:client-batches:one") == 1  # job "a" ended and is no longer looked at
    assert store.unfinished_messages("two") == 7 and store.unfinished_messages("nobody") == 0


def test_a_full_batch_with_long_ids_stays_compact(client):
    store = BatchStore(client, 60)
    size = 10_000
    store.create("big", [f"{i:0128d}" for i in range(size)], ["medium"] * size, {}, owner="c")
    store.record_scores("big", {i: score(i) for i in range(size)})
    used = sum(client.memory_usage(key) for key in client.scan_iter("weave:batch:big*"))
    # The caller's ids (128 characters each) are kept as given; everything else costs about 200 bytes a message.
    assert used / size < 128 + 260, used / size

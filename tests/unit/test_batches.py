"""Batch job records in Redis (the machine's server, database 12): results by position, failures, quotas, size."""

from __future__ import annotations

import json

import pytest

from tests.unit.machine_redis import machine_redis
from weave_ml.model.scoring import OperatingPoints, Score
from weave_ml.serving.batches import BatchStore

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
    used = sum(client.memory_usage(key, samples=0) for key in client.scan_iter("weave:batch:big*"))
    # Every field counted (samples=0): Redis estimates a hash from 5 of its fields, far off when one is large.
    # The caller's ids (128 characters each) are kept as given; everything else costs about 200 bytes a message.
    assert used / size < 128 + 260, used / size


def stall(client, batch_id: str, seconds: float) -> None:
    """Make a batch's last progress ``seconds`` old."""
    client.hincrbyfloat(f"weave:batch:{batch_id}", "progress_at", -seconds)


def test_a_stalled_batch_whose_chunks_the_broker_no_longer_holds_ends_with_them_lost(client):
    store = BatchStore(client, 60, lost_after_s=30)
    store.create("lost", [None] * 4, ["medium"] * 4, {0: score(0)}, owner="c")
    store.record_scores("lost", {1: score(1)})
    stall(client, "lost", 29)
    assert status_of(store, "lost")["status"] == "running"  # within lost_after_s of the last result: waited for
    stall(client, "lost", 2)
    status = status_of(store, "lost")
    assert (status["status"], status["done"], status["failed"]) == ("done", 4, 2)
    assert [r.get("error", {}).get("code") for r in status["results"]] == [None, None, "lost", "lost"]
    assert "submit the message again" in status["results"][2]["error"]["message"]
    assert store.unfinished_messages("c") == 0  # the client's quota is free again
    store.record_scores("lost", {2: score(2)})  # a chunk that turns up after all still gives its scores
    assert status_of(store, "lost")["failed"] == 1


def test_chunks_still_queued_or_taken_by_a_worker_are_waited_for_however_long(client):
    store = BatchStore(client, 60, lost_after_s=30)
    store.create("waiting", [None] * 2, ["medium"] * 2, {}, owner="c")
    stall(client, "waiting", 3600)
    client.rpush("batch\x06\x169", "a chunk sent with a priority")  # queued behind other work
    assert status_of(store, "waiting")["status"] == "queued"
    client.delete("batch\x06\x169")
    client.hset("unacked", "tag-1", json.dumps([{"body": "…"}, "", "batch"]))  # a worker has it, or died with it
    assert status_of(store, "waiting")["status"] == "queued"
    client.hset("unacked", "tag-1", json.dumps([{"body": "…"}, "", "predict"]))  # a /predict task is not a chunk
    assert status_of(store, "waiting")["failed"] == 2
    never = BatchStore(client, 60)  # without lost_after_s nothing is ever declared lost
    never.create("kept", [None], ["medium"], {}, owner="c")
    stall(client, "kept", 10**6)
    assert status_of(never, "kept")["status"] == "queued"

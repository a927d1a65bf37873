"""Batch jobs as the source of truth for their messages (weave_ml.serving.batches), against a private redis-server:
results by position, quotas, size, claims and leases, and the sweep that publishes again what the broker lost."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import pytest
import redis

from devstack.processes import RedisServer
from weave_ml.model.predictions import OperatingPoints, Score
from weave_ml.serving import batches
from weave_ml.serving.batches import REPUBLISH_GRACE_S, BatchJobs, JobKeys

pytestmark = pytest.mark.integration

# Every score in these tests comes from "v1", which decides with the thresholds of versions that predate their own.
POINTS = {"v1": OperatingPoints.from_metadata({})}.__getitem__


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path_factory.mktemp("redis"))
    yield server
    server.stop()


@pytest.fixture
def client(server) -> Iterator[redis.Redis]:
    client = server.client()
    client.flushall()
    yield client
    client.close()


class Queue:
    """Stands in for Celery: a chunk's task is pushed on the batch list as kombu's transport does (LPUSH, taken
    from the other end), carrying the job id and chunk number."""

    def __init__(self, client: redis.Redis) -> None:
        self.client = client

    def send(self, batch_id: str, chunk: int) -> None:
        self.client.lpush("batch", json.dumps([batch_id, chunk]))

    def take(self) -> tuple[str, int]:
        raw = self.client.rpop("batch")
        assert isinstance(raw, bytes)
        batch_id, chunk = json.loads(raw)
        return batch_id, chunk


@pytest.fixture
def queue(client) -> Queue:
    return Queue(client)


def jobs_of(client: redis.Redis, queue: Queue, **options) -> BatchJobs:
    return BatchJobs(client, 60, send=queue.send, **options)


def status_of(jobs: BatchJobs, batch_id: str, offset: int = 0, limit: int | None = None) -> dict:
    found = jobs.status(batch_id, POINTS, offset, limit)
    assert found is not None
    return found


def score(position: int) -> Score:
    return Score(f"sha256:{position:064x}", 0.9 if position % 2 else 0.1, ("단축 URL 포함",), "v1")


def misses(positions) -> list[dict]:
    return [{"position": p, "message": f"택배 조회 {p}", "sender": "010-1234-5678"} for p in positions]


def test_results_come_back_in_input_order_with_ids_and_each_sensitivity(client, queue):
    jobs = jobs_of(client, queue)
    chunks = jobs.create("b1", ["x", None, "z"], ["low", "medium", "high"], {1: score(1)}, "c", misses=misses([0, 2]))
    assert chunks == 1
    assert status_of(jobs, "b1")["status"] == "running"  # the cache hit is a result already
    claim = jobs.claim("b1", 0)
    assert claim.state == "claimed" and [item["position"] for item in claim.items] == [0, 2]
    assert jobs.finish("b1", 0, {0: score(0), 2: score(2)})
    status = status_of(jobs, "b1")
    assert (status["status"], status["done"], status["failed"]) == ("done", 3, 0)
    assert [r["index"] for r in status["results"]] == [0, 1, 2]
    assert [r.get("id") for r in status["results"]] == ["x", None, "z"]
    assert [r["sensitivity_level"] for r in status["results"]] == ["low", "medium", "high"]
    assert [r["cached"] for r in status["results"]] == [False, True, False]
    assert jobs.recorded("b1") == 3
    assert client.zcard("weave:batches:active") == 0  # nothing left to sweep


def test_a_job_fails_only_when_every_message_did(client, queue):
    jobs = jobs_of(client, queue)
    jobs.create("b2", [None] * 3, ["medium"] * 3, {}, "c", misses=misses(range(3)))
    assert status_of(jobs, "b2")["status"] == "queued"
    jobs.claim("b2", 0)
    jobs.finish("b2", 0, {0: score(0)}, {1: "timeout", 2: "timeout"})
    status = status_of(jobs, "b2")
    assert (status["status"], status["done"], status["failed"]) == ("done", 3, 2)
    assert "error" not in status["results"][0] and status["results"][1]["error"]["code"] == "timeout"
    jobs.create("b3", [None] * 2, ["medium"] * 2, {}, "c", misses=misses(range(2)))
    jobs.finish("b3", 0, {}, {0: "scoring_failed", 1: "scoring_failed"})
    assert status_of(jobs, "b3")["status"] == "failed"


def test_a_page_holds_the_positions_asked_for_and_the_progress_of_the_whole_job(client, queue, monkeypatch):
    monkeypatch.setattr(batches, "CHUNK_SIZE", 4)
    jobs = jobs_of(client, queue)
    jobs.create("p1", [f"m{p}" for p in range(10)], ["medium"] * 10, {9: score(9)}, "c", misses=misses(range(9)))
    jobs.finish("p1", 0, {0: score(0), 1: score(1)}, {2: "timeout", 3: "timeout"})  # chunk 1 (4 … 7) not yet
    whole = status_of(jobs, "p1")
    assert [r["index"] for r in whole["results"]] == [0, 1, 2, 3, 9]

    def page(offset, limit):
        found = status_of(jobs, "p1", offset, limit)
        assert {key: found[key] for key in ("status", "total", "done", "failed")} == {
            "status": "running",
            "total": 10,
            "done": 5,
            "failed": 2,
        }
        return [r["index"] for r in found["results"]]

    assert page(0, 0) == []
    assert page(1, 3) == [1, 2, 3]
    assert page(2, 6) == [2, 3]  # positions not scored yet are absent
    assert page(8, 100) == [9]
    assert page(3, None) == [3, 9]
    assert page(10, 5) == page(50, None) == []
    assert status_of(jobs, "p1", 1, 3)["results"] == whole["results"][1:4]  # the same results, page or not


def test_failures_are_counted_as_recorded_and_counted_from_the_results_for_a_job_without_the_count(client, queue):
    jobs = jobs_of(client, queue)
    jobs.create("f1", [None] * 3, ["medium"] * 3, {}, "c", misses=misses(range(3)))
    jobs.finish("f1", 0, {0: score(0)}, {1: "timeout", 2: "lost"})
    assert client.hget(JobKeys.of("f1").facts, "failed") == b"2"
    assert status_of(jobs, "f1", 0, 0)["failed"] == 2
    jobs.create("f2", [None] * 3, ["medium"] * 3, {}, "c", misses=misses(range(3)))
    client.hdel(JobKeys.of("f2").facts, "failed")  # as a job created before failures were counted
    jobs.finish("f2", 0, {0: score(0)}, {1: "timeout", 2: "lost"})
    assert client.hexists(JobKeys.of("f2").facts, "failed") is False
    assert status_of(jobs, "f2", 0, 0)["failed"] == status_of(jobs, "f2")["failed"] == 2


def test_a_chunk_is_recorded_once_however_often_it_is_claimed_and_finished(client, queue):
    jobs = jobs_of(client, queue, lease_s=0.2, attempts=3)
    jobs.create("once", [None] * 2, ["medium"] * 2, {}, "c", misses=misses(range(2)))
    first = jobs.claim("once", 0)
    assert first.state == "claimed" and first.tries == 1
    assert jobs.claim("once", 0).state == "busy"  # the first worker's lease runs
    time.sleep(0.3)  # the lease runs out: the first worker died, say
    second = jobs.claim("once", 0)
    assert second.state == "claimed" and second.tries == 2
    assert jobs.finish("once", 0, {0: score(0), 1: score(1)})
    assert not jobs.finish("once", 0, {0: score(0)}, {1: "timeout"})  # the first worker, late: nothing written
    assert jobs.claim("once", 0).state == "done"
    status = status_of(jobs, "once")
    assert (status["done"], status["failed"]) == (2, 0) and jobs.recorded("once") == 2


def test_a_chunk_claimed_too_often_is_handed_over_to_be_failed(client, queue):
    jobs = jobs_of(client, queue, lease_s=0.05, attempts=2)
    jobs.create("poison", [None] * 2, ["medium"] * 2, {}, "c", misses=misses(range(2)))
    for _ in range(2):
        assert jobs.claim("poison", 0).state == "claimed"
        time.sleep(0.1)  # the lease runs out: its worker died
    exhausted = jobs.claim("poison", 0)
    assert exhausted.state == "exhausted" and [item["position"] for item in exhausted.items] == [0, 1]


def test_unfinished_messages_are_counted_per_owner_and_ended_jobs_forgotten(client, queue):
    jobs = jobs_of(client, queue)
    jobs.create("a", [None] * 5, ["medium"] * 5, {}, "one", misses=misses(range(5)))
    jobs.create("b", [None] * 3, ["medium"] * 3, {0: score(0)}, "one", misses=misses(range(1, 3)))
    jobs.create("c", [None] * 7, ["medium"] * 7, {}, "two", misses=misses(range(7)))
    assert jobs.unfinished_messages("one") == 5 + 2
    jobs.finish("a", 0, {i: score(i) for i in range(5)})
    assert jobs.unfinished_messages("one") == 2
    assert client.zcard("weave:client-batches:one") == 1  # job "a" ended and is no longer looked at
    assert jobs.unfinished_messages("two") == 7 and jobs.unfinished_messages("nobody") == 0


def test_a_full_batch_with_long_ids_stays_compact_and_holds_no_text(client, queue):
    jobs = jobs_of(client, queue)
    size = 10_000
    texts = misses(range(size))
    chunks = jobs.create("big", [f"{i:0128d}" for i in range(size)], ["medium"] * size, {}, "c", misses=texts)
    raw = b"".join(client.hget("weave:batch:big:chunks", str(n)) or b"" for n in range(chunks))
    assert b"010-1234-5678" not in raw and "택배".encode() not in raw  # sealed
    for chunk in range(chunks):
        start = chunk * batches.CHUNK_SIZE
        jobs.finish("big", chunk, {i: score(i) for i in range(start, start + batches.CHUNK_SIZE)})
    used = sum(client.memory_usage(key, samples=0) for key in client.scan_iter("weave:batch:big*"))
    # Every field counted (samples=0): Redis estimates a hash from 5 of its fields, far off when one is large.
    # The caller's ids (128 characters each) are kept as given; everything else costs about 200 bytes a message.
    assert used / size < 128 + 260, used / size


def test_the_sweep_publishes_again_a_chunk_the_broker_lost_and_only_that_one(client, queue, monkeypatch):
    monkeypatch.setattr(batches, "CHUNK_SIZE", 100)  # the counts below are of chunks of 100
    jobs = jobs_of(client, queue)
    jobs.create("a", [None] * 300, ["medium"] * 300, {}, "c", misses=misses(range(300)))
    jobs.publish("a", range(3))
    jobs.create("b", [None] * 5000, ["medium"] * 5000, {}, "d", misses=misses(range(5000)))
    jobs.publish("b", range(50))  # another client's job keeps the queue busy the whole time
    assert queue.take() == ("a", 0)  # taken from the queue and lost: no worker ever claims it
    assert queue.take() == ("a", 1)
    assert jobs.claim("a", 1).state == "claimed"  # a worker has this one, its lease runs
    later = time.time() + REPUBLISH_GRACE_S + 1
    assert jobs.sweep(now=later) == {"republished": 1, "lost": 0}
    assert client.lindex("batch", 0) == json.dumps(["a", 0]).encode()  # sent again, behind b's chunks
    assert client.llen("batch") == 1 + 1 + 50  # besides it, a's chunk 2 and b's 50, still queued: left alone
    client.delete("weave:batches:sweep-lock")
    assert jobs.sweep(now=later) == {"republished": 0, "lost": 0}  # its new task is queued: waited for


def test_a_chunk_never_published_or_whose_lease_ran_out_is_published_by_the_sweep(client, queue, monkeypatch):
    monkeypatch.setattr(batches, "CHUNK_SIZE", 100)  # the counts below are of chunks of 100
    jobs = jobs_of(client, queue, lease_s=0.1)
    jobs.create("quiet", [None] * 200, ["medium"] * 200, {}, "c", misses=misses(range(200)))  # publish failed
    assert client.llen("batch") == 0
    assert jobs.sweep() == {"republished": 2, "lost": 0}
    assert queue.take() == ("quiet", 0) and queue.take() == ("quiet", 1)
    assert jobs.claim("quiet", 0).state == "claimed"  # and its worker dies
    jobs.finish("quiet", 1, {p: score(p) for p in range(100, 200)})
    time.sleep(0.2)  # chunk 0's lease runs out
    client.delete("weave:batches:sweep-lock")
    assert jobs.sweep() == {"republished": 1, "lost": 0}
    assert queue.take() == ("quiet", 0)
    assert jobs.claim("quiet", 0).state == "claimed"  # the lease that ran out went with the old task


def test_a_chunk_published_again_and_again_but_never_claimed_ends_lost(client, queue):
    jobs = jobs_of(client, queue)
    jobs.create("gone", [None] * 150, ["medium"] * 150, {0: score(0)}, "c", misses=misses(range(1, 150)))
    for _ in range(batches.MAX_PUBLISHES):
        client.delete("batch", "weave:batches:sweep-lock")  # every task vanishes on its way
        jobs.sweep(now=time.time() + REPUBLISH_GRACE_S + 1)
    client.delete("batch", "weave:batches:sweep-lock")
    assert jobs.sweep(now=time.time() + REPUBLISH_GRACE_S + 1) == {"republished": 0, "lost": 149}
    status = status_of(jobs, "gone")
    assert (status["status"], status["done"], status["failed"]) == ("done", 150, 149)
    assert "submit the message again" in status["results"][1]["error"]["message"]
    assert jobs.unfinished_messages("c") == 0  # the client's quota is free again


def test_a_job_that_expired_is_forgotten_by_the_sweep(client, queue):
    jobs = jobs_of(client, queue)
    jobs.create("old", [None], ["medium"], {}, "c", misses=misses([0]))
    for key in client.scan_iter("weave:batch:old*"):
        client.delete(key)
    assert client.zcard("weave:batches:active") == 1
    jobs.sweep()
    assert client.zcard("weave:batches:active") == 0

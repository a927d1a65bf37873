"""Faults survived by real processes: a worker killed mid-batch, Redis down and up, the cache down, broken models,
a crashed retrain."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
import uuid

import pytest
import redis

from devstack.processes import ROOT, RedisServer, wait_until
from tests.integration.conftest import Stack, job_sender
from tests.integration.mongo import honest, mongo_server_fixture, reports_fixture  # noqa: F401 - fixtures
from weave_ml.model.text import message_hash
from weave_ml.registry.store import METADATA_FILE, Registry, sha256_of
from weave_ml.serving import batches
from weave_ml.serving.pending import Pending, PendingStore
from weave_ml.training import corpus
from weave_ml.training import lock as locks
from weave_ml.training.train import publish
from workers import liveness

pytestmark = pytest.mark.integration

LURE = "[Web발신] 고객님 택배가 주소불명으로 보관중입니다. 주소 확인 http://han.gl/aB12cd"
CHAT = "엄마 오늘 저녁 7시쯤 도착해요 밥 먹고 갈게"


def test_a_worker_killed_twenty_times_during_one_job_scores_every_position_exactly_once(make_stack):
    stack = make_stack()
    # A lease of 3 + 5 s: a killed worker's chunk is published again within seconds, not half a minute.
    stack.env["SCORING_TIME_LIMIT_S"] = "3"
    jobs, broker = job_sender(stack)
    size, kills = 20_000, 20
    # Long texts make each chunk take a while, so kills land mid-chunk as well as between chunks. The job is built
    # here, not through the API (which takes 10,000 messages a request): one job of 20,000 positions.
    filler = " 안내 문자입니다" * 20
    misses = [
        {"position": i, "message": f"{LURE if i % 2 else CHAT}{filler} {uuid.uuid4().hex}", "sender": None}
        for i in range(size)
    ]
    batch_id = uuid.uuid4().hex
    jobs.publish(batch_id, range(jobs.create(batch_id, [None] * size, ["medium"] * size, {}, "test", misses=misses)))
    rng = random.Random(20)
    for kill in range(kills):
        worker = stack.worker()
        worker.wait_ready()
        before = jobs.recorded(batch_id)
        wait_until(lambda: jobs.recorded(batch_id) > before, 60, f"progress before kill {kill + 1}", 0.01)  # noqa: B023
        time.sleep(rng.uniform(0, 0.3))  # each kill at another point of a chunk
        worker.kill(signal.SIGKILL)
        assert jobs.recorded(batch_id) < size, f"the job finished after {kill + 1} kills: make the texts longer"
    stack.worker().wait_ready()
    status = wait_until(
        lambda: (
            (found := jobs.status(batch_id, stack.registry.operating_points)) is not None
            and found["status"] == "done"
            and found
        ),
        180,
        "the job to finish",
        0.5,
    )
    assert (status["total"], status["done"], status["failed"]) == (size, size, 0)
    assert [r["index"] for r in status["results"]] == list(range(size))
    assert jobs.recorded(batch_id) == size  # each position recorded exactly once
    assert broker.zscore("weave:batches:active", batch_id) is None


def test_a_chunk_the_broker_lost_is_published_again_and_scored(make_stack):
    """kombu's Redis transport can lose a message popped by a worker whose connection fails before it records it."""
    stack = make_stack()
    gateway = stack.gateway()  # no worker yet: the chunks wait in the queue
    size = 2 * batches.CHUNK_SIZE + batches.CHUNK_SIZE // 2  # three chunks, the last one half full
    texts = [f"{LURE if i % 2 else CHAT} {uuid.uuid4().hex}" for i in range(size)]
    job = gateway.post("/predict/batch", {"messages": [{"message": text} for text in texts]}).json()
    broker = redis.Redis.from_url(stack.env["REDIS_URL"])
    wait_until(lambda: broker.llen("batch") == 3, 10, "three chunks queued")
    assert isinstance(broker.rpop("batch"), bytes)  # the next chunk a worker would take vanishes
    stack.worker().wait_ready()
    status = wait_until(
        lambda: (s := gateway.get(job["status_url"]).json())["status"] == "done" and s, 60, "the batch to end", 0.5
    )
    assert (status["done"], status["failed"]) == (size, 0)
    assert [r["message_hash"] for r in status["results"]] == [message_hash(text) for text in texts]


def test_redis_stopped_then_started_again_on_its_port(seed_model, tmp_path):
    server = RedisServer(tmp_path / "redis")
    stack = Stack(server, tmp_path / "stack", seed_model)
    try:
        worker = stack.worker()
        worker.wait_ready()
        gateway = stack.gateway()
        assert gateway.post("/predict", {"message": LURE}).status_code == 200

        server.stop()
        stopped_at = time.time()
        for path, body in (
            ("/predict", {"message": f"{CHAT} {uuid.uuid4().hex}"}),
            ("/predict/batch", {"messages": [{"message": CHAT}]}),
        ):
            started = time.monotonic()
            response = gateway.post(path, body)
            assert time.monotonic() - started < 1.0
            assert response.status_code == 503 and response.json()["error"]["code"] == "broker_unavailable"
        started = time.monotonic()
        health = gateway.get("/health")
        assert time.monotonic() - started < 1.0
        assert health.status_code == 503 and health.json()["status"] == "unhealthy"
        assert health.json()["broker"].startswith("unreachable")
        # Not ready, but alive: the liveness checks the orchestrator restarts on ask nothing of Redis.
        assert gateway.get("/livez").json() == {"status": "alive"}
        # The worker touches its file again, broker or not.
        wait_until(
            lambda: liveness.path_for(worker.node).stat().st_mtime > stopped_at,
            2 * liveness.TOUCH_INTERVAL_S + 1,
            "the worker to touch its liveness file with Redis gone",
        )
        check = [sys.executable, "-m", "workers.liveness", worker.node]
        assert subprocess.run(check, cwd=ROOT, capture_output=True, timeout=30, check=False).returncode == 0
        age = liveness.age_s(worker.node)
        assert age is not None and age < liveness.TOUCH_INTERVAL_S + 1

        server = RedisServer(tmp_path / "redis", port=server.port)  # empty: nothing was kept on disk
        wait_until(lambda: gateway.post("/predict", {"message": f"{CHAT} {uuid.uuid4().hex}"}).ok, 60, "recovery", 0.5)
        for _ in range(20):
            assert gateway.post("/predict", {"message": f"{LURE} {uuid.uuid4().hex}"}).status_code == 200
        job = gateway.post("/predict/batch", {"messages": [{"message": CHAT}, {"message": LURE}]}).json()
        wait_until(lambda: gateway.get(job["status_url"]).json()["status"] == "done", 30, "a batch after recovery")
        wait_until(lambda: gateway.get("/health").json()["status"] == "healthy", 30, "healthy again")
        assert worker.alive() and gateway.alive()
        assert "Traceback" not in gateway.log()
    finally:
        stack.stop()
        server.stop()


def test_the_readiness_wait_rides_out_a_broker_lost_during_a_ping_then_starts_its_command(tmp_path):
    server = RedisServer(tmp_path / "redis")
    env = {**os.environ, "REDIS_URL": server.url(1)}
    command = [sys.executable, "-m", "workers.readiness", "--timeout", "6", "--", "echo", "command started"]
    process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        # Pinging (no worker answers): kombu's Redis transport has bound the reply queue of a ping.
        broker = server.client(1)
        wait_until(lambda: broker.exists("_kombu.binding.reply.celery.pidbox"), 30, "the readiness wait to ping")
        server.stop()  # gone in the middle of a ping: kombu lets redis.ConnectionError through
        output, _ = process.communicate(timeout=60)
    finally:
        process.kill()
        server.stop()
    assert process.returncode == 0, output
    assert "Traceback" not in output and output.rstrip().endswith("command started")
    assert "no Celery worker answered within 6 s" in output


def test_cache_redis_stopped_costs_speed_not_answers(make_stack, tmp_path):
    cache_server = RedisServer(tmp_path / "cache")
    stack = make_stack()
    stack.env["CACHE_REDIS_URL"] = cache_server.url(0)
    # Without the gateway's in-memory hot scores, so that a repeat right after the cache stopped goes to a worker.
    stack.env["HOT_SCORES_TTL_S"] = "0"
    try:
        worker = stack.worker()
        worker.wait_ready()
        gateway = stack.gateway()
        seen = f"{LURE} {uuid.uuid4().hex}"
        assert gateway.post("/predict", {"message": seen}).json()["cached"] is False
        assert gateway.post("/predict", {"message": seen}).json()["cached"] is True

        cache_server.stop()
        for text in (seen, seen, f"{CHAT} {uuid.uuid4().hex}"):
            answer = gateway.post("/predict", {"message": text})
            assert answer.status_code == 200, answer.text
            assert answer.json()["cached"] is False  # scored again by a worker, which could not cache it either
        health = gateway.get("/health")
        assert health.status_code == 200 and health.json()["status"] == "degraded"
        assert health.json()["cache"].startswith("unreachable") and health.json()["broker"] == "ok"
        assert any("score cache" in problem for problem in health.json()["problems"])
        job = gateway.post("/predict/batch", {"messages": [{"message": seen}, {"message": CHAT}]})
        assert job.status_code == 202, job.text
        done = wait_until(
            lambda: (s := gateway.get(job.json()["status_url"]).json())["status"] == "done" and s, 30, "the batch"
        )
        assert done["failed"] == 0 and [r["cached"] for r in done["results"]] == [False, False]
        metrics = gateway.get("/metrics").text
        assert _sample(metrics, "weave_gateway_cache_errors_total") >= 1
        assert _sample(metrics, "weave_worker_cache_errors_total") >= 2
        assert worker.alive() and "Traceback" not in gateway.log()

        cache_server = RedisServer(tmp_path / "cache", port=cache_server.port)
        wait_until(lambda: gateway.get("/health").json()["status"] == "healthy", 30, "the cache back in /health")
        again = f"{CHAT} {uuid.uuid4().hex}"
        assert gateway.post("/predict", {"message": again}).json()["cached"] is False
        wait_until(lambda: gateway.post("/predict", {"message": again}).json()["cached"], 30, "cache hits again")
    finally:
        stack.stop()
        cache_server.stop()


def _sample(metrics: str, name: str) -> float:
    """The value of an unlabelled sample of a /metrics page."""
    return next(float(line.split()[-1]) for line in metrics.splitlines() if line.startswith(f"{name} "))


def test_broken_model_versions_leave_the_previous_one_serving(make_stack, seed_model):
    stack = make_stack()
    worker = stack.worker()
    worker.wait_ready()
    gateway = stack.gateway()
    old = stack.registry.current_version()

    def degraded_by(version: str, reason: str) -> list[str]:
        def check():
            health = gateway.get("/health").json()
            found = [p for p in health["problems"] if version in p and reason in p]
            return health["status"] == "degraded" and found

        problems = wait_until(check, 30, f"/health to report {version}: {reason}")
        response = gateway.post("/predict", {"message": f"{CHAT} {uuid.uuid4().hex}"})
        assert response.status_code == 200 and response.json()["model_version"] == old
        return problems

    truncated = publish(stack.registry, seed_model)
    model_file = stack.registry.model_path(truncated)
    model_file.write_bytes(model_file.read_bytes()[:1000])  # truncated after publishing
    degraded_by(truncated, "checksum")
    health = gateway.get("/health").json()
    assert health["model_version"] == truncated and health["serving_versions"] == [old]

    # The worker caches under the version it serves; the gateway looks there too, so repeats are still cache hits.
    text = f"{LURE} {uuid.uuid4().hex}"
    first, second = (gateway.post("/predict", {"message": text}).json() for _ in range(2))
    assert (first["cached"], second["cached"]) == (False, True)
    assert second["model_version"] == old and second["phishing_probability"] == first["phishing_probability"]
    # A request that timed out while the pointer named the broken version is answered by what the worker scored.
    pending = PendingStore(redis.Redis.from_url(stack.env["REDIS_URL"]), 60)
    pending.remember("timed-out-request", Pending(first["message_hash"], "high", truncated))
    late = gateway.get("/predict/result/timed-out-request")
    assert late.status_code == 200, late.text
    assert (late.json()["model_version"], late.json()["sensitivity_level"]) == (old, "high")

    # Garbage whose sha256 matches its metadata passes the checksum and is refused by the loader itself.
    corrupt = publish(stack.registry, seed_model)
    model_file = stack.registry.model_path(corrupt)
    model_file.write_bytes(b"PK\x03\x04" + os.urandom(4000))
    _rewrite_sha256(stack.registry, corrupt)
    degraded_by(corrupt, "not a readable model file")
    assert "failed to load" in worker.log()

    fixed = publish(stack.registry, seed_model)
    wait_until(lambda: gateway.get("/health").json()["status"] == "healthy", 30, "healthy on a good version")
    assert gateway.post("/predict", {"message": f"{CHAT} {uuid.uuid4().hex}"}).json()["model_version"] == fixed


def _rewrite_sha256(registry: Registry, version: str) -> None:
    path = registry.versions_dir / version / METADATA_FILE
    meta = json.loads(path.read_text())
    meta["sha256"] = sha256_of(registry.model_path(version))
    path.write_text(json.dumps(meta))


def test_a_retrain_killed_half_way_leaves_the_registry_as_it_was(reports, tmp_path, seed_model):
    registry = Registry(tmp_path / "models")
    first = publish(registry, seed_model)
    reports.add_many(honest(reports, corpus.generate(seed=12, size=300)))  # enough to train and pass the gate
    env = {
        **os.environ,
        "MONGODB_URI": reports.uri,
        "ML_MODEL_DIR": str(registry.root),
        "REDIS_URL": "redis://127.0.0.1:9/0",  # no Redis: the run holds the registry's file lock
    }
    process = subprocess.Popen([sys.executable, "-m", "weave_ml.cli", "retrain"], env=env, cwd=ROOT)

    def writing() -> bool:
        assert process.poll() is None, "the retrain ended before it wrote a version"
        return any(p.name.startswith(".staging-") for p in registry.versions_dir.iterdir())

    # Killed at the worst moment: while the new version is being written (looked for without a pause).
    wait_until(writing, 240, "the retrain to start writing a version", interval_s=0)
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=30)

    assert registry.current_version() == first
    assert [m["version"] for m in registry.versions()] == [first]
    assert registry.load().version == first
    with locks.file_lock(registry.root) as held:
        assert held  # the dead run's lock went with it

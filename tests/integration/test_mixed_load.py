"""Hostile and mixed load on real processes: no message, batch or client can stall the service."""

from __future__ import annotations

import json
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import redis
import requests

from devstack.processes import RedisServer, wait_until
from tests.integration.conftest import Stack, batch_status, job_sender
from weave_ml.connections import as_text
from weave_ml.serving import batches

pytestmark = pytest.mark.integration

LURE = "[Web발신] 고객님 택배가 주소불명으로 보관중입니다. 주소 확인 http://han.gl/aB12cd"
CHAT = "엄마 오늘 저녁 7시쯤 도착해요 밥 먹고 갈게"
# Inputs of the longest valid size built to make pattern matching backtrack: runs of digits, dots and separators,
# one long word, and scripts mixed character by character.
ADVERSARIAL = [
    "1" * 10_000,
    "9," * 5_000,
    "." * 10_000,
    "1." * 5_000,
    "- " * 5_000,
    "a" * 10_000,
    "www." * 2_500,
    ("가a1." * 2_500)[:10_000],
    ("http://" + "a-" * 4_990)[:10_000],
    ("010-" * 2_500)[:10_000],
]


def unique(text: str) -> str:
    return f"{text} {uuid.uuid4().hex[:8]}"


def post_all(gateway, bodies: list[dict], connections: int = 8) -> list[requests.Response]:
    with ThreadPoolExecutor(connections) as pool:
        return list(pool.map(lambda body: requests.post(f"{gateway.url}/predict", json=body, timeout=30), bodies))


def scrape(gateway, name: str) -> float:
    for line in requests.get(f"{gateway.url}/metrics", timeout=10).text.splitlines():
        if line.startswith(f"{name} "):
            return float(line.split()[1])
    return 0.0


def test_adversarial_messages_are_answered_and_the_worker_stays_responsive(make_stack):
    stack = make_stack()
    stack.worker().wait_ready()
    gateway = stack.gateway()
    answers = post_all(gateway, [{"message": text} for text in ADVERSARIAL], connections=len(ADVERSARIAL))
    assert [answer.status_code for answer in answers] == [200] * len(ADVERSARIAL), [a.text[:200] for a in answers]
    started = time.monotonic()
    assert gateway.post("/predict", {"message": unique(CHAT)}).status_code == 200
    assert time.monotonic() - started < 2.0

    job = gateway.post(
        "/predict/batch", {"messages": [{"message": f"{t[:9_990]} {i}"} for i, t in enumerate(ADVERSARIAL)]}
    )
    assert job.status_code == 202
    status = wait_until(
        lambda: (s := gateway.get(job.json()["status_url"]).json())["status"] == "done" and s, 60, "the batch"
    )
    assert status["failed"] == 0 and len(status["results"]) == len(ADVERSARIAL)


def test_sync_requests_never_wait_behind_batch_work(make_stack):
    stack = make_stack()
    stack.worker().wait_ready()
    gateway = stack.gateway(processes=2)
    batch_ids = []
    for half in range(2):
        messages = [{"message": f"{CHAT if i % 2 else LURE} {half}-{i}"} for i in range(10_000)]
        created = gateway.post("/predict/batch", {"messages": messages}, timeout=120)
        assert created.status_code == 202, created.text
        batch_ids.append(created.json()["batch_id"])

    answers = post_all(gateway, [{"message": unique(LURE if i % 3 else CHAT)} for i in range(500)])
    still_running = [gateway.get(f"/predict/batch/{b}").json()["status"] != "done" for b in batch_ids]
    assert [answer.status_code for answer in answers].count(200) == 500, {a.status_code for a in answers}
    assert any(still_running), "the batches ended before the requests did: nothing was measured"
    for batch_id in batch_ids:
        url = f"/predict/batch/{batch_id}"
        wait_until(lambda: gateway.get(url).json()["status"] == "done", 300, "batch", 1)  # noqa: B023 - waits here


def test_requests_nobody_waits_for_are_dropped_not_scored(make_stack):
    stack = make_stack()
    stack.env["PREDICT_TIMEOUT_S"] = "1"
    worker = stack.worker()
    worker.wait_ready()
    gateway = stack.gateway()
    assert gateway.post("/predict", {"message": unique(CHAT)}).status_code == 200
    worker.stop()

    stale = post_all(gateway, [{"message": unique(LURE)} for _ in range(200)], connections=16)
    assert {answer.status_code for answer in stale} == {504}
    stack.worker().wait_ready()
    # The expired tasks are taken and dropped, each counted with the requests it carried.
    wait_until(lambda: scrape(gateway, "weave_expired_requests_total") >= 200, 30, "the stale tasks to be dropped")
    assert scrape(gateway, "weave_scoring_timeouts_total") == 0
    for _ in range(20):
        started = time.monotonic()
        assert gateway.post("/predict", {"message": unique(CHAT)}).status_code == 200
        assert time.monotonic() - started < 0.9


def test_batch_quota_per_client_and_broker_memory_guard(seed_model, tmp_path):
    server = RedisServer(tmp_path / "redis")
    stack = Stack(server, tmp_path / "stack", seed_model)
    stack.env["BATCH_QUOTA_MESSAGES"] = "1000"
    stack.env["BATCH_BROKER_MEMORY_LIMIT"] = "0.5"
    try:
        gateway = stack.gateway()  # no worker yet: batches stay unfinished
        assert gateway.post("/predict/batch", {"messages": [{"message": f"{CHAT} {i}"} for i in range(600)]}).ok
        refused = gateway.post("/predict/batch", {"messages": [{"message": f"{LURE} {i}"} for i in range(600)]})
        assert refused.status_code == 429 and refused.json()["error"]["code"] == "batch_quota"
        assert int(refused.headers["Retry-After"]) > 0
        assert gateway.post("/predict/batch", {"messages": [{"message": f"{LURE} {i}"} for i in range(400)]}).ok

        stack.worker().wait_ready()  # the client's batches finish: its quota is free again
        wait_until(
            lambda: gateway.post("/predict/batch", {"messages": [{"message": unique(CHAT)}] * 900}).status_code == 202,
            60,
            "the quota to be free",
            0.5,
        )

        client = server.client()
        used = int(client.info("memory")["used_memory"])
        client.config_set("maxmemory", str(used * 3 // 2))  # two thirds full: over the 50% limit
        time.sleep(1.1)  # the gateway reads the broker's memory at most once a second
        full = gateway.post("/predict/batch", {"messages": [{"message": unique(CHAT)}]})
        assert full.status_code == 503 and full.json()["error"]["code"] == "broker_full"
        assert gateway.post("/predict", {"message": unique(LURE)}).status_code == 200
        client.config_set("maxmemory", "0")
    finally:
        stack.stop()
        server.stop()


def test_a_chunk_that_raises_ends_its_batch_with_those_positions_failed(make_stack, monkeypatch):
    stack = make_stack()
    stack.worker().wait_ready()
    gateway = stack.gateway()
    jobs, _broker = job_sender(stack)
    batch_id = uuid.uuid4().hex
    good = [{"position": 0, "message": LURE, "sender": None}, {"position": 1, "message": CHAT, "sender": None}]
    poisoned = [{"position": 2, "message": None, "sender": None}, {"position": 3, "sender": None}]
    monkeypatch.setattr(batches, "CHUNK_SIZE", 2)  # one good chunk, one poisoned
    chunks = jobs.create(batch_id, ["a", "b", "c", "d"], ["medium"] * 4, {}, "test", misses=good + poisoned)
    jobs.publish(batch_id, range(chunks))
    url = f"/predict/batch/{batch_id}"
    status = wait_until(lambda: (s := batch_status(gateway.get(url)))["status"] == "done" and s, 30, "the batch")
    assert (status["done"], status["failed"]) == (4, 2)
    codes = [result.get("error", {}).get("code") for result in status["results"]]
    assert codes == [None, None, "scoring_failed", "scoring_failed"]
    assert [r["id"] for r in status["results"]] == ["a", "b", "c", "d"]
    assert json.dumps(status, ensure_ascii=False).count("phishing_probability") == 2
    # A page of the results, or the progress alone; bad parameters are refused in the error contract.
    progress = batch_status(gateway.get(f"{url}?limit=0"))
    assert progress == {**status, "results": []}
    assert batch_status(gateway.get(f"{url}?offset=1&limit=2"))["results"] == status["results"][1:3]
    assert batch_status(gateway.get(f"{url}?offset=3"))["results"] == status["results"][3:]
    for query, field in (("limit=-1", "limit"), ("limit=many", "limit"), ("offset=10001", "offset")):
        refused = gateway.get(f"{url}?{query}")
        assert refused.status_code == 400, refused.text
        assert refused.json()["error"]["code"] == "invalid_field" and refused.json()["error"]["field"] == field


def test_the_broker_holds_queues_and_jobs_only_and_every_redis_reports_its_memory(make_stack):
    stack = make_stack()
    stack.worker().wait_ready()
    gateway = stack.gateway()
    senders = [f"010-{n:04d}-{n:04d}" for n in range(6)]
    for sender in senders:  # one lure from six numbers: a campaign
        assert gateway.post("/predict", {"message": LURE, "sender": sender}).status_code == 200
    job = gateway.post("/predict/batch", {"messages": [{"message": unique(CHAT)} for _ in range(50)]}).json()
    wait_until(lambda: gateway.get(job["status_url"]).json()["status"] == "done", 30, "the batch")
    assert gateway.post("/predict", {"message": LURE, "sender": senders[0]}).json()["campaign"] is not None
    broker = redis.Redis.from_url(stack.env["REDIS_URL"])
    keys = [as_text(key) for key in broker.keys("weave:*")]
    assert [key for key in keys if key.startswith(("weave:campaign", "weave:rollout"))] == []
    state = redis.Redis.from_url(stack.env["CACHE_REDIS_URL"])  # STATE_REDIS_URL defaults to the cache's
    assert state.keys("weave:campaign:c:*")
    for role in ("broker", "cache", "state"):
        assert scrape(gateway, f'weave_redis_memory_used_bytes{{role="{role}"}}') > 0
        assert scrape(gateway, f'weave_redis_up{{role="{role}"}}') == 1

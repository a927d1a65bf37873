"""The scoring path end to end over HTTP: gunicorn gateway → Redis → real Celery worker → cache."""

from __future__ import annotations

import threading
import time
import uuid

import pytest

from devstack.processes import wait_until

pytestmark = pytest.mark.integration

PARCEL_LURE = "[Web발신] CJ대한통운 고객님 택배가 주소불명으로 보관중입니다. 주소 확인 http://han.gl/aB12cd"
FAMILY_CHAT = "엄마 오늘 저녁 7시쯤 도착해요 밥 먹고 갈게"
PREDICTION_KEYS = {
    "is_phishing",
    "phishing_probability",
    "risk_level",
    "sensitivity_level",
    "threshold",
    "reasons",
    "model_version",
    "cached",
    "message_hash",
    "campaign",
    "links",
}


def unique(text: str) -> str:
    return f"{text} {uuid.uuid4().hex[:8]}"


def test_predict_answers_with_the_contract_and_caches(gateway, running_stack):
    message = unique(PARCEL_LURE)
    first = gateway.post("/predict", {"message": message, "sender": "010-9876-5432"})
    assert first.status_code == 200, first.text
    body = first.json()
    assert set(body) == PREDICTION_KEYS
    assert body["is_phishing"] is True and body["risk_level"] == "high" and body["cached"] is False
    assert body["campaign"] is None  # one text from one sender is no campaign
    assert body["links"] and all(
        set(link) == {"domain", "official", "seen_before", "reputation"} for link in body["links"]
    )
    assert body["model_version"] == running_stack.registry.current_version()
    # The thresholds are the version's own, chosen when it was trained and stored in its metadata.
    points = running_stack.registry.operating_points(body["model_version"])
    assert body["reasons"] and body["sensitivity_level"] == "medium" and body["threshold"] == points.medium

    second = gateway.post("/predict", {"message": message, "sender": "010-1111-2222", "sensitivity_level": "high"})
    assert second.status_code == 200
    again = second.json()
    # Same text and same sender kind: the same hash, answered from the cache at the caller's sensitivity.
    assert again["cached"] is True and again["message_hash"] == body["message_hash"]
    assert again["phishing_probability"] == body["phishing_probability"]
    assert (again["sensitivity_level"], again["threshold"]) == ("high", points.high)
    assert points.high < points.medium

    # One line per prediction, with neither the text nor the full phone number (written by the log's own thread).
    log = wait_until(lambda: (text := gateway.log()).count("예측 완료") >= 2 and text, 10, "both lines in the log")
    assert body["message_hash"][7:23] in log
    assert message[:20] not in log and "9876-5432" not in log and "1111-2222" not in log


def test_normal_chat_is_not_flagged(gateway):
    body = gateway.post("/predict", {"message": FAMILY_CHAT}).json()
    assert body["is_phishing"] is False and body["risk_level"] == "low" and body["reasons"] == []


def test_concurrent_identical_and_distinct_requests(gateway):
    messages = [unique(PARCEL_LURE) for _ in range(10)] * 3 + [unique(FAMILY_CHAT) for _ in range(20)]
    answers: dict[int, dict] = {}

    def call(position: int, text: str) -> None:
        answers[position] = gateway.post("/predict", {"message": text}).json()

    threads = [threading.Thread(target=call, args=item) for item in enumerate(messages)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(answers) == len(messages)
    for position, text in enumerate(messages):
        assert answers[position]["is_phishing"] is (text.startswith("[Web발신]")), answers[position]


def test_batch_of_2000_keeps_input_order_and_ids(gateway):
    lures = [unique(PARCEL_LURE) for _ in range(1000)]
    chats = [unique(FAMILY_CHAT) for _ in range(1000)]
    messages = [
        {"id": f"m{i}", "message": text, "sensitivity_level": "high" if i % 2 else "low"}
        for i, text in enumerate(m for pair in zip(lures, chats, strict=True) for m in pair)
    ]
    messages[0]["message"] = messages[2]["message"]  # a duplicate inside the batch is scored once, answered twice
    created = gateway.post("/predict/batch", {"messages": messages})
    assert created.status_code == 202, created.text
    job = created.json()
    assert job["total"] == 2000 and job["status_url"] == f"/predict/batch/{job['batch_id']}"

    status = wait_until(lambda: (s := gateway.get(job["status_url"]).json())["status"] == "done" and s, 120, "batch")
    assert status["total"] == status["done"] == 2000 and status["failed"] == 0
    results = status["results"]
    assert [r["id"] for r in results] == [m["id"] for m in messages]
    assert [r["index"] for r in results] == list(range(2000))
    assert [r["sensitivity_level"] for r in results] == [m["sensitivity_level"] for m in messages]
    assert [r["is_phishing"] for r in results[2:]] == [i % 2 == 0 for i in range(2, 2000)]
    assert results[0]["message_hash"] == results[2]["message_hash"]


def test_batch_answers_cache_hits_at_once(gateway):
    message = unique(PARCEL_LURE)
    gateway.post("/predict", {"message": message})
    job = gateway.post("/predict/batch", {"messages": [{"message": message}]}).json()
    status = gateway.get(job["status_url"]).json()
    assert status["status"] == "done" and status["results"][0]["cached"] is True


def test_unknown_batch_and_result_are_404(gateway):
    assert gateway.get("/predict/batch/nope").status_code == 404
    assert gateway.get("/predict/result/nope").json()["error"]["code"] == "not_found"


def test_health_and_models(gateway, running_stack):
    health = gateway.get("/health").json()
    version = running_stack.registry.current_version()
    assert list(health)[:5] == ["status", "model_loaded", "model_path", "model_version", "vocabulary_size"]
    assert health["status"] == "healthy" and health["model_loaded"] is True
    assert health["model_version"] == version and health["model_path"].endswith("model.skops")
    assert health["vocabulary_size"] > 1000 and health["broker"] == "ok" and len(health["workers"]) == 1
    listing = gateway.get("/models").json()
    assert listing["current"] == version and [v["version"] for v in listing["versions"]] == [version]
    current = gateway.get("/models/current").json()
    assert current["version"] == version and current["metrics"]["mcc"] > 0.9


def test_a_model_published_under_load_is_picked_up_without_a_failed_request(make_stack, seed_model):
    stack = make_stack()
    stack.worker().wait_ready()
    gateway = stack.gateway(threads=8)
    old = stack.registry.current_version()
    failures, versions, stop = [], [], threading.Event()

    def load() -> None:
        while not stop.is_set():
            response = gateway.post("/predict", {"message": unique(PARCEL_LURE)})
            if response.status_code != 200:
                failures.append(response.text)
            else:
                versions.append(response.json()["model_version"])

    def answered() -> int:
        return len(versions) + len(failures)

    threads = [threading.Thread(target=load) for _ in range(4)]
    for thread in threads:
        thread.start()
    wait_until(lambda: answered() >= 40, 30, "the load to be under way")
    from weave_ml.training.train import publish

    new = publish(stack.registry, seed_model)
    wait_until(lambda: versions and versions[-1] == new, 30, "answers from the new version")
    switched_at = answered()
    wait_until(lambda: answered() >= switched_at + 40, 30, "the load to go on after the switch")
    stop.set()
    for thread in threads:
        thread.join()
    assert failures == []
    assert old in versions and new in versions
    switched = versions.index(new)
    assert versions[switched:].count(old) <= 8  # only requests already in flight at the switch


def test_without_a_worker_predict_times_out_and_the_status_url_tells_what_became_of_it(make_stack):
    stack = make_stack()
    gateway = stack.gateway()
    started = time.monotonic()
    message = unique(PARCEL_LURE)
    response = gateway.post("/predict", {"message": message})
    elapsed = time.monotonic() - started
    assert response.status_code == 504
    assert 3.0 <= elapsed < 4.5
    body = response.json()
    assert body["error"]["code"] == "timeout"
    assert body["status_url"] == f"/predict/result/{body['task_id']}"
    pending = gateway.get(body["status_url"])
    assert pending.status_code == 202 and pending.json()["status"] == "pending"
    assert gateway.get("/health").json()["status"] == "degraded"

    # A worker that comes later drops the expired task unscored; the status URL says so instead of "pending".
    stack.worker().wait_ready()
    dropped = wait_until(lambda: (r := gateway.get(body["status_url"])).status_code == 410 and r.json(), 30, "drop")
    assert dropped["error"]["code"] == "dropped"
    # Once the same text has been scored for another request, the timed-out one has its answer too.
    again = gateway.post("/predict", {"message": message})
    assert again.status_code == 200
    answer = gateway.get(body["status_url"])
    assert answer.status_code == 200 and answer.json()["message_hash"] == again.json()["message_hash"]

"""What operators use, on real processes: /metrics across gunicorn processes, JSON logs with request ids, Flower."""

from __future__ import annotations

import base64
import json
import re
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families
from ruamel.yaml import YAML

from devstack.processes import Flower, RedisServer, wait_until
from tests.integration.browser import CHROMIUM, Chromium
from tests.integration.conftest import Stack

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
MONITORING = ROOT / "deploy" / "monitoring"
ARTIFACTS = ROOT / "tests" / "artifacts"
PARCEL_LURE = "[Web발신] CJ대한통운 고객님 택배가 주소불명으로 보관중입니다. 주소 확인 http://han.gl/aB12cd"
FAMILY_CHAT = "엄마 오늘 저녁 7시쯤 도착해요 밥 먹고 갈게"
PHONE = "010-9876-5432"
# Names PromQL gives meaning to that are not metrics, and series Prometheus makes itself.
PROMQL_WORDS = {"by", "without", "on", "ignoring", "group_left", "group_right", "and", "or", "unless", "bool", "offset"}
PROMETHEUS_SERIES = {"up"}


def unique(text: str) -> str:
    return f"{text} {uuid.uuid4().hex[:8]}"


@pytest.fixture(scope="module")
def ops(redis_server, seed_model, tmp_path_factory) -> Iterator[Stack]:
    """A worker, a trainer, a two-process gateway and Flower, all logging JSON lines."""
    stack = Stack(redis_server, tmp_path_factory.mktemp("ops"), seed_model)
    stack.env["LOG_FORMAT"] = "json"
    stack.env.pop("MONGODB_URI", None)  # so a retrain fails at once: there are no reports to read
    stack.worker().wait_ready()
    stack.trainer = stack.worker(process="trainer")
    stack.trainer.wait_ready()
    stack.gateway_process = stack.gateway(processes=2)
    stack.flower = Flower(stack.env, stack.logs)
    stack.processes.append(stack.flower)
    yield stack
    stack.stop()


def scrape(url: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Return every sample of a /metrics page by (name, sorted labels)."""
    response = requests.get(f"{url}/metrics", timeout=10)
    assert response.status_code == 200, response.text
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def value(samples: dict, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def total(samples: dict, name: str, **labels: str) -> float:
    """Sum of the samples of ``name`` whose labels include ``labels``."""
    wanted = set(labels.items())
    return sum(v for (n, have), v in samples.items() if n == name and wanted <= set(have))


def json_lines(text: str) -> list[dict]:
    lines = []
    for line in text.splitlines():
        if line.startswith("{"):
            try:
                lines.append(json.loads(line))
            except json.JSONDecodeError:
                continue
    return lines


def test_gateway_metrics_add_up_across_processes(ops):
    gateway = ops.gateway_process
    before = scrape(gateway.url)
    fresh = [unique(PARCEL_LURE) for _ in range(20)] + [unique(FAMILY_CHAT) for _ in range(10)]
    answers: list[requests.Response] = []

    def call(text: str) -> None:
        answers.append(requests.post(f"{gateway.url}/predict", json={"message": text}, timeout=30))

    threads = [threading.Thread(target=call, args=(text,)) for text in fresh]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for text in fresh[:5]:
        call(text)  # answered from the cache
    batch = gateway.post("/predict/batch", {"messages": [{"message": unique(FAMILY_CHAT)} for _ in range(3)]})
    assert batch.status_code == 202 and all(answer.status_code == 200 for answer in answers)

    # Both processes answered, each counting into its own file.
    pids = {int(match) for path in gateway.metrics_dir.glob("*.db") for match in re.findall(r"_(\d+)\.db$", path.name)}
    assert len(pids) >= 2, sorted(p.name for p in gateway.metrics_dir.iterdir())
    # Whichever process answers the scrape, it reports the sum of all of them.
    predict_ok = {"endpoint": "/predict", "method": "POST", "status": "200"}
    for _ in range(6):
        after = scrape(gateway.url)
        assert (
            value(after, "weave_http_requests_total", **predict_ok)
            - value(before, "weave_http_requests_total", **predict_ok)
            == 35
        )

    def grew(name: str, **labels: str) -> float:
        return total(after, name, **labels) - total(before, name, **labels)

    assert grew("weave_http_request_duration_seconds_count", **predict_ok) == 35
    assert grew("weave_http_requests_total", endpoint="/predict/batch", status="202") == 1
    assert grew("weave_cache_lookups_total", result="hit") == 5
    assert grew("weave_cache_lookups_total", result="miss") == 33
    assert grew("weave_predictions_total") == 35 and grew("weave_predictions_total", risk_level="high") >= 20
    assert grew("weave_phishing_probability_count") == 35
    assert grew("weave_micro_batch_requests_sum") == 30
    assert grew("weave_batch_messages_sum") == 3
    # Read at scrape time.
    assert value(after, "weave_model_info", version=ops.registry.current_version()) == 1
    assert value(after, "weave_broker_up") == 1 and value(after, "weave_workers_online") >= 2
    assert ("weave_queue_depth", (("queue", "predict"),)) in after
    assert ("weave_queue_depth", (("queue", "batch"),)) in after
    assert ("weave_queue_depth", (("queue", "training"),)) in after
    assert 0 < value(after, "weave_model_age_seconds") < 24 * 3600
    assert value(after, "weave_retrain_schedule_period_seconds") == 7 * 24 * 3600  # ML_CRON_SCHEDULE 0 2 * * 0


def test_a_failed_retrain_is_counted_and_its_request_id_reaches_the_trainer_log(ops):
    gateway = ops.gateway_process
    request_id = f"retrain-{uuid.uuid4().hex[:12]}"
    started = gateway.post("/admin/retrain", headers={"X-API-Key": "test-admin-key", "X-Request-ID": request_id})
    assert started.status_code == 202, started.text
    wait_until(
        lambda: value(scrape(gateway.url), "weave_retrain_runs_total", outcome="failed") >= 1, 60, "a failed retrain"
    )
    samples = scrape(gateway.url)
    assert value(samples, "weave_retrain_last_run_timestamp_seconds", outcome="failed") > time.time() - 120
    trainer_lines = [line for line in json_lines(ops.trainer.log()) if line.get("request_id") == request_id]
    assert any("MONGODB_URI" in line["message"] for line in trainer_lines), ops.trainer.log()[-3000:]


def test_request_id_travels_from_the_gateway_to_the_worker_in_json_lines(ops):
    gateway = ops.gateway_process
    request_id = f"ops-{uuid.uuid4().hex[:12]}"
    message = unique(PARCEL_LURE)
    answer = gateway.post("/predict", {"message": message, "sender": PHONE}, headers={"X-Request-ID": request_id})
    assert answer.status_code == 200 and answer.headers["X-Request-ID"] == request_id
    # A header that could forge log lines is replaced by a fresh id.
    forged = gateway.post("/predict", {"message": unique(FAMILY_CHAT)}, headers={"X-Request-ID": "not an id; " * 10})
    assert re.fullmatch(r"[0-9a-f]{32}", forged.headers["X-Request-ID"])
    batch = gateway.post("/predict/batch", {"messages": [{"message": unique(FAMILY_CHAT), "sender": PHONE}]})
    batch_id = batch.headers["X-Request-ID"]

    def mine_done() -> list[dict]:
        done = [line for line in json_lines(gateway.log()) if "예측 완료" in line["message"]]
        return [line for line in done if line["request_id"] == request_id]

    mine = wait_until(mine_done, 10, "the request's line in the gateway's log")  # written by the log's own thread
    assert len(mine) == 1 and "latency_ms=" in mine[0]["message"] and mine[0]["level"] == "INFO"
    worker = ops.processes[0]

    def worker_lines(rid: str) -> list[dict]:
        return [line for line in json_lines(worker.log()) if rid in (line.get("request_id") or "").split(",")]

    assert wait_until(lambda: worker_lines(request_id), 10, "the request id in the worker's log")
    assert wait_until(lambda: worker_lines(batch_id), 30, "the batch's request id in the worker's log")
    for log in (gateway.log(), worker.log()):
        assert message[:25] not in log and "9876-5432" not in log and "010-9876" not in log


def test_metrics_answer_quickly_when_redis_is_down(seed_model, tmp_path):
    server = RedisServer(tmp_path / "redis")
    stack = Stack(server, tmp_path / "stack", seed_model)
    try:
        gateway = stack.gateway()
        assert value(scrape(gateway.url), "weave_broker_up") == 1
        server.stop()
        started = time.monotonic()
        samples = scrape(gateway.url)
        assert time.monotonic() - started < 3
        assert value(samples, "weave_broker_up") == 0
        assert value(samples, "weave_model_info", version=str(stack.registry.current_version())) == 1
        assert not any(name == "weave_queue_depth" for name, _ in samples)
    finally:
        stack.stop()
        server.stop()


def test_flower_wants_credentials_but_its_metrics_and_healthcheck_are_open(ops):
    flower = ops.flower
    # Flower reads FLOWER_BASIC_AUTH from its environment: the password is not on its command line (ps shows that).
    command_line = Path(f"/proc/{flower.pid}/cmdline").read_bytes().decode()
    assert "flower" in command_line and flower.auth[1] not in command_line
    assert requests.get(f"{flower.url}/", timeout=10).status_code == 401
    assert requests.get(f"{flower.url}/api/workers", timeout=10).status_code == 401
    assert requests.get(f"{flower.url}/", auth=flower.auth, timeout=10).status_code == 200
    # Documented in docs/operations.md: keep Flower on the internal network because of these two.
    assert requests.get(f"{flower.url}/healthcheck", timeout=10).status_code == 200
    metrics = requests.get(f"{flower.url}/metrics", timeout=10)
    assert metrics.status_code == 200 and "flower_worker_online" in metrics.text


def test_flower_keeps_its_state_across_a_restart(make_stack):
    stack = make_stack()
    stack.worker().wait_ready()
    gateway = stack.gateway()
    flower = Flower(stack.env, stack.logs)
    stack.processes.append(flower)
    # A batch's chunk task shows; /predict's micro-batch tasks send no events.
    assert gateway.post("/predict", {"message": unique(PARCEL_LURE)}).status_code == 200
    assert gateway.post("/predict/batch", {"messages": [{"message": unique(PARCEL_LURE)}]}).status_code == 202

    def tasks(instance: Flower) -> dict:
        return requests.get(f"{instance.url}/api/tasks", auth=instance.auth, timeout=10).json()

    seen = wait_until(lambda: tasks(flower), 30, "Flower to see the chunk's task")
    assert {task["name"] for task in seen.values()} == {"weave.score_batch_chunk"}
    flower.stop()
    assert list(stack.logs.glob(f"{flower.db.name}*")), "Flower wrote no state file"
    restarted = Flower(stack.env, stack.logs, db=flower.db)
    stack.processes.append(restarted)
    assert set(seen) <= set(tasks(restarted))


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (apt-get install chromium; .ci/run does)")
def test_flower_in_a_browser_shows_the_worker_online_and_a_batch_chunk_task(ops):
    flower = ops.flower
    assert ops.gateway_process.post("/predict", {"message": unique(PARCEL_LURE)}).status_code == 200
    batch = {"messages": [{"message": unique(PARCEL_LURE)}]}
    assert ops.gateway_process.post("/predict/batch", batch).status_code == 202
    ARTIFACTS.mkdir(exist_ok=True)
    browser = Chromium(ops.root / "browser")
    try:
        assert browser.open(f"{flower.url}/") == 401
        authorization = {"Authorization": "Basic " + base64.b64encode(flower.credentials.encode()).decode()}
        assert browser.open(f"{flower.url}/", authorization) == 200
        browser.wait_for_text("scoring1@", "Online")
        print(f"screenshot: {browser.screenshot(ARTIFACTS / 'flower-workers.png')}")
        assert browser.open(f"{flower.url}/tasks", authorization) == 200
        browser.wait_for_text("weave.score_batch_chunk", "SUCCESS")
        print(f"screenshot: {browser.screenshot(ARTIFACTS / 'flower-tasks.png')}")
    finally:
        browser.stop()


def exported_names(*urls: str) -> set[str]:
    """Every metric and sample name the /metrics pages at ``urls`` declare."""
    names: set[str] = set()
    for url in urls:
        text = requests.get(f"{url}/metrics", timeout=10).text
        for family in text_string_to_metric_families(text):
            names.add(family.name)
            names.update(sample.name for sample in family.samples)
            suffixes = {
                "counter": ("_total",),
                "histogram": ("_bucket", "_sum", "_count"),
                "info": ("_info",),
            }
            names.update(family.name + suffix for suffix in suffixes.get(family.type, ()))
    return names


def promql_names(expr: str) -> set[str]:
    """The metric names a PromQL expression reads."""
    expr = re.sub(r'"(?:[^"\\]|\\.)*"', "", expr)  # label values
    expr = re.sub(r"\{[^}]*\}|\[[^\]]*\]", "", expr)  # matchers and ranges
    expr = re.sub(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", "", expr)
    found = set(re.findall(r"(?<![\w.])([A-Za-z_:][\w:]*)(?![\w:]|\s*\()", expr))
    return found - PROMQL_WORDS


def test_dashboard_and_alerts_read_only_exported_metrics(ops):
    # Labelled series exist once used: a miss, then a hit; an answer raised by a reported domain.
    message = unique(PARCEL_LURE)
    for _ in range(2):
        assert ops.gateway_process.post("/predict", {"message": message}).status_code == 200
    admin = {"X-API-Key": "test-admin-key"}
    reported = {"domain": "ops-lure.top", "verdict": "phishing"}
    assert ops.gateway_process.post("/admin/reputation/report", reported, headers=admin).status_code == 200
    raised = ops.gateway_process.post("/predict", {"message": unique("주소 확인 http://ops-lure.top/a")}).json()
    assert raised["is_phishing"] is True
    exported = exported_names(ops.gateway_process.url, ops.flower.url) | PROMETHEUS_SERIES
    dashboard = json.loads((MONITORING / "grafana-dashboard.json").read_text())
    dashboard_exprs = [target["expr"] for panel in dashboard["panels"] for target in panel["targets"]]
    rules = YAML(typ="safe").load((MONITORING / "alerts.yml").read_text())
    alert_exprs = [rule["expr"] for group in rules["groups"] for rule in group["rules"]]
    titles = " ".join(panel["title"].lower() for panel in dashboard["panels"])
    for topic in ("request rate", "p50", "p99", "cache hit", "queue depth", "workers online", "score", "retrain"):
        assert topic in titles
    used = {name for expr in dashboard_exprs + alert_exprs for name in promql_names(expr)}
    assert used and used <= exported, f"not exported: {sorted(used - exported)}"

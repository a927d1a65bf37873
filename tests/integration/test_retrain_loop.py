"""The learning loop on real processes: admin → Redis → training worker → registry → workers reload → gateway; the
registry changed by the trainer alone, the gateway's view of it read-only."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import time
import uuid
from pathlib import Path

import pytest
import redis

from devstack.processes import ProcfileProcess, wait_until
from tests.integration.mongo import honest, mongo_server_fixture, reports_fixture  # noqa: F401 - fixtures
from weave_ml.campaigns import examples
from weave_ml.model.text import normalise
from weave_ml.serving import sealed_bodies
from weave_ml.training import corpus
from weave_ml.training.train import publish

pytestmark = pytest.mark.integration

ADMIN = {"X-API-Key": "test-admin-key"}
PARCEL_LURE = "[Web발신] 택배 주소지 불일치로 반송 예정. 주소 수정 http://han.gl/{}"


def test_admin_retrain_through_a_worker_publishes_and_the_gateway_answers_with_it(make_stack, reports, tmp_path):
    fresh = corpus.generate(seed=21, size=300)
    reports.add_many(honest(reports, fresh))
    stack = make_stack()
    stack.env["MONGODB_URI"] = reports.uri
    stack.env["CAMPAIGN_EXAMPLES_INTERVAL_S"] = "1"
    scoring = stack.worker()
    trainer = stack.worker(process="trainer")
    gateway = stack.gateway()
    beat = ProcfileProcess(
        "beat", {**stack.env, "BEAT_SCHEDULE_FILE": str(tmp_path / "schedule")}, tmp_path / "beat.log"
    )
    results = redis.Redis.from_url(stack.env["CACHE_REDIS_URL"])  # campaigns' state: STATE_REDIS_URL, the cache's
    try:
        scoring.wait_ready()
        trainer.wait_ready()
        before = stack.registry.current_version()

        # A lure blast from six senders is a phishing campaign; beat has the trainer keep its masked template.
        for n in range(6):
            blasted = gateway.post("/predict", {"message": PARCEL_LURE.format(f"b{n}x7"), "sender": f"010-5555-010{n}"})
            assert blasted.json()["is_phishing"] is True
        assert blasted.json()["campaign"]["senders"] == 6
        wait_until(lambda: results.zcard(examples.KEY) == 1, 30, "the trainer to keep the campaign's template")
        assert "weave_campaign_templates_kept 1.0" in gateway.get("/metrics").text
    finally:
        beat.stop()
        results.close()

    started = gateway.post("/admin/retrain", headers=ADMIN)
    assert started.status_code == 202, started.text
    status_url = started.json()["status_url"]
    assert status_url == f"/admin/retrain/{started.json()['task_id']}"
    states: list[str] = []

    def finished() -> dict | None:
        body = gateway.get(status_url, headers=ADMIN).json()
        states.append(body["state"])
        return body if body["state"] in ("SUCCESS", "FAILURE") else None

    final = wait_until(finished, 180, "the retrain task", interval_s=0.2)
    assert final["state"] == "SUCCESS", (final, trainer.log()[-3000:])
    assert "STARTED" in states
    result = final["result"]
    assert result["decision"] == "published" and result["gate_passed"] is True
    version = result["version"]
    assert version != before and stack.registry.current_version() == version
    assert result["labelled_reports"] == len({normalise(m.message) for m in fresh})
    run = json.loads((stack.registry.versions_dir / version / "report.json").read_text(encoding="utf-8"))
    assert run["training"]["campaign_examples"]["used"] == 1 and run["training"]["by_source"]["campaign"] == 1

    # The broadcast (or, failing it, the pointer check) makes the scoring worker load the new version.
    wait_until(lambda: (scoring.state() or {}).get("model_version") == version, 30, "the worker to reload")
    prediction = gateway.post("/predict", {"message": PARCEL_LURE.format(uuid.uuid4().hex[:6])}).json()
    assert prediction["model_version"] == version and prediction["is_phishing"] is True
    assert gateway.get("/models/current").json()["version"] == version

    rolled = gateway.post("/admin/rollback", {}, headers=ADMIN)
    assert rolled.status_code == 200 and rolled.json() == {"current_version": before, "previous_version": version}
    assert gateway.get("/admin/retrain/unknown-task", headers=ADMIN).status_code == 404


def test_a_bad_cron_schedule_stops_beat_at_start_naming_the_variable(tmp_path):
    env = {**os.environ, "ML_RUN_MODE": "cron", "ML_CRON_SCHEDULE": "0 25 * * 0"}
    env["BEAT_SCHEDULE_FILE"] = str(tmp_path / "schedule")
    beat = ProcfileProcess("beat", env, tmp_path / "beat.log")
    try:
        assert beat.popen.wait(timeout=60) != 0
        assert "ML_CRON_SCHEDULE='0 25 * * 0' is not valid" in beat.log()
    finally:
        beat.stop()


def test_run_mode_once_sends_one_retrain_right_after_start_then_none(make_stack, tmp_path):
    stack = make_stack()
    env = {**stack.env, "ML_RUN_MODE": "once", "BEAT_SCHEDULE_FILE": str(tmp_path / "schedule")}
    beat = ProcfileProcess("beat", env, tmp_path / "beat.log")
    broker = redis.Redis.from_url(env["REDIS_URL"])
    try:
        wait_until(lambda: broker.llen("training"), 30, "beat to send the retrain")
        message = json.loads(broker.lindex("training", 0) or b"null")
        assert message["headers"]["task"] == "weave.retrain" and message["headers"]["expires"]
        assert sealed_bodies.loads(base64.b64decode(message["body"]))[1] == {"trigger": "start"}
        time.sleep(2)  # beat keeps running and sends nothing more
        assert beat.alive(), beat.log()
        assert broker.llen("training") == 1
    finally:
        beat.stop()


def read_only_view(path: Path) -> list[str]:
    """A command prefix: run the command in a mount namespace of its own where ``path`` is mounted read-only."""
    remount = 'mount --bind "$0" "$0" && mount -o remount,bind,ro "$0" && exec "$@"'
    return ["unshare", "--mount", "--propagation", "private", "sh", "-c", remount, str(path)]


def mount_options(pid: int, path: Path) -> list[str]:
    """The options ``path`` is mounted with, as the process ``pid`` sees it."""
    for line in Path(f"/proc/{pid}/mountinfo").read_text().splitlines():
        fields = line.split()
        if fields[4] == str(path):
            return fields[5].split(",")
    return []


def test_rollback_through_the_admin_endpoint_while_the_gateway_cannot_write_the_registry(make_stack, seed_model):
    stack = make_stack()
    probe = subprocess.run([*read_only_view(stack.registry.root), "true"], capture_output=True, text=True, check=False)
    if probe.returncode != 0:
        pytest.skip(f"no read-only bind mount here (unshare needs CAP_SYS_ADMIN): {probe.stderr.strip()}")
    first = stack.registry.current_version()
    second = publish(stack.registry, seed_model)
    scoring = stack.worker()
    trainer = stack.worker(process="trainer")
    gateway = stack.gateway(prefix=read_only_view(stack.registry.root))
    scoring.wait_ready()
    trainer.wait_ready()
    assert "ro" in mount_options(gateway.pid, stack.registry.root)  # as the production stack mounts it

    rolled = gateway.post("/admin/rollback", {}, headers=ADMIN)
    assert rolled.status_code == 200, rolled.text
    assert rolled.json() == {"current_version": first, "previous_version": second}
    assert stack.registry.current_version() == first
    wait_until(lambda: (scoring.state() or {}).get("model_version") == first, 30, "the worker to follow")
    text = PARCEL_LURE.format(uuid.uuid4().hex[:6])
    assert gateway.post("/predict", {"message": text}).json()["model_version"] == first

    # With the trainer down the change waits in its queue: 202, and the status URL answers once it is made.
    trainer.stop()
    queued = gateway.post("/admin/rollback", {"version": second}, headers=ADMIN)
    assert queued.status_code == 202, queued.text
    assert queued.json()["state"] == "PENDING" and stack.registry.current_version() == first
    status_url = queued.json()["status_url"]
    assert gateway.get(status_url, headers=ADMIN).status_code == 202
    stack.worker(process="trainer").wait_ready()
    made = wait_until(lambda: (a := gateway.get(status_url, headers=ADMIN)).status_code == 200 and a, 60, "the change")
    assert made.json() == {"current_version": second, "previous_version": first}
    wait_until(lambda: (scoring.state() or {}).get("model_version") == second, 30, "the worker to follow again")
    assert gateway.get("/admin/registry/unknown-task", headers=ADMIN).status_code == 404

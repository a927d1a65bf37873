"""Rollouts on real processes: two scoring workers, the trainer, beat's rollout check, the gateway, MongoDB reports.

The tests run in order on one stack (each ends with no rollout in progress): shadow, canary with reports then abort
and promote, an automatic abort.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import subprocess
import uuid
from collections.abc import Iterator

import pytest
import redis
from prometheus_client.parser import text_string_to_metric_families

from devstack.processes import BIN, ProcfileProcess, wait_until
from tests.integration.conftest import ADMIN_KEY, Stack
from tests.integration.mongo import Reports, mongo_server_fixture  # noqa: F401 - fixture
from weave_ml.model.predictions import OperatingPoints
from weave_ml.model.text import message_hash
from weave_ml.registry.rollout_record import Rollout, assigned_to_candidate
from weave_ml.training.train import publish

pytestmark = pytest.mark.integration

ADMIN = {"X-API-Key": ADMIN_KEY}
SENDER = "010-2345-6789"


class RolloutStack(Stack):
    reports: Reports
    scoring: list
    current: str
    candidate: str


@pytest.fixture(scope="module")
def stack(redis_server, seed_model, mongo_server, tmp_path_factory) -> Iterator[RolloutStack]:
    root = tmp_path_factory.mktemp("rollout")
    deployment = RolloutStack(redis_server, root, seed_model)
    deployment.current = deployment.registry.current_version() or ""
    deployment.candidate = publish(deployment.registry, seed_model, make_current=False)
    deployment.reports = Reports(mongo_server)
    deployment.env.update(
        {
            "MONGODB_URI": deployment.reports.uri,
            "ROLLOUT_CHECK_INTERVAL_S": "1",
            "ROLLOUT_MIN_SCORED": "20",
            "ROLLOUT_MAX_POSITIVE_RATE_CHANGE": "0.3",
            # Timing on a shared machine is noise at this scale; the latency bound is unit-tested.
            "ROLLOUT_MAX_LATENCY_RATIO": "1000",
            "BEAT_SCHEDULE_FILE": str(root / "beat-schedule"),
        }
    )
    try:
        # The gateway first: it waits until it answers, and on a busy machine the workers' start would slow it.
        deployment.gateway_process = deployment.gateway()
        deployment.scoring = [deployment.worker(), deployment.worker()]
        trainer = deployment.worker(process="trainer")
        deployment.processes.append(ProcfileProcess("beat", deployment.env, deployment.logs / "beat.log"))
        for worker in (*deployment.scoring, trainer):
            worker.wait_ready()
    except BaseException:  # a stack that failed to start leaves no process behind
        deployment.stop()
        deployment.reports.client.close()
        raise
    yield deployment
    deployment.stop()
    deployment.reports.client.close()


def workers_follow(stack: RolloutStack, candidate: str | None, current: str | None = None) -> None:
    def followed() -> bool:
        states = [worker.state() or {} for worker in stack.scoring]
        return all(
            state.get("candidate_version") == candidate and (current is None or state.get("model_version") == current)
            for state in states
        )

    wait_until(followed, 30, f"every worker to serve {current or 'the same model'} beside candidate {candidate}")


def texts(kind: str, count: int) -> list[str]:
    run = uuid.uuid4().hex[:8]
    if kind == "lure":
        return [f"[Web발신] 택배 주소지 불일치 {run}{i} 확인 http://han.gl/{run}{i}" for i in range(count)]
    return [f"오늘 저녁 {i}시에 {run} 식당에서 만나요" for i in range(count)]


def predict_all(stack: RolloutStack, messages: list[str]) -> list[dict]:
    answers = []
    for message in messages:
        answer = stack.gateway_process.post("/predict", {"message": message, "sender": SENDER})
        assert answer.status_code == 200, answer.text
        answers.append(answer.json())
    return answers


def metrics(stack: RolloutStack) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    text = stack.gateway_process.get("/metrics").text
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def status(stack: RolloutStack) -> dict:
    answer = stack.gateway_process.get("/admin/rollout", headers=ADMIN)
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_shadow_answers_unchanged_both_versions_recorded_agreement_measured(stack):
    gateway = stack.gateway_process
    started = gateway.post("/admin/rollout", {"candidate": stack.candidate, "mode": "shadow"}, headers=ADMIN)
    assert started.status_code == 200, started.text
    assert started.json()["event"] == "started" and started.json()["rollout"]["mode"] == "shadow"
    workers_follow(stack, stack.candidate)
    health = gateway.get("/health").json()
    scoring_pids = {pid for worker in stack.scoring for pid in worker.pids()}
    candidates = {w["pid"]: w["candidate_version"] for w in health["workers"]}
    # The scoring workers score with the candidate; the trainer's processes (listed there too) do not load it.
    assert {candidates[pid] for pid in scoring_pids if pid in candidates} == {stack.candidate}
    assert {v for pid, v in candidates.items() if pid not in scoring_pids} == {None}
    assert health["status"] == "healthy", health

    messages = texts("lure", 15) + texts("chat", 15)
    answers = predict_all(stack, messages)
    current = stack.registry.load(stack.current).scorer()
    expected = current.score_many(messages, [SENDER] * len(messages))
    assert [a["model_version"] for a in answers] == [stack.current] * 30
    assert [a["phishing_probability"] for a in answers] == [round(s.probability, 6) for s in expected]

    body = status(stack)
    versions = body["evidence"]["versions"]
    assert versions[stack.current]["scored"] == versions[stack.candidate]["scored"] == 30
    assert versions[stack.current]["answered"] == 30 and versions[stack.candidate]["answered"] == 0
    assert body["evidence"]["compared"] == 30 and body["evidence"]["agreement"] == 1.0
    # Per message hash, never the text: both versions' scores and who answered.
    rollout_id = f"{stack.candidate}@{body['rollout']['started'][:19].replace('-', '').replace(':', '')}"
    # In the Redis of derived state (here the cache's), never the broker's: evidence grows with traffic.
    state = redis.Redis.from_url(stack.env["CACHE_REDIS_URL"])
    seen = state.hgetall(f"weave:rollout:seen:{rollout_id}:{message_hash(messages[0], SENDER)}")
    assert set(seen) == {stack.current.encode(), stack.candidate.encode(), b"answered"}
    assert seen[b"answered"] == stack.current.encode()
    assert 0 < state.ttl(f"weave:rollout:seen:{rollout_id}:{message_hash(messages[0], SENDER)}") <= 7 * 24 * 3600
    assert redis.Redis.from_url(stack.env["REDIS_URL"]).keys("weave:rollout:*") == []
    scraped = metrics(stack)
    assert scraped[("weave_rollout_agreement", (("model_version", stack.candidate),))] == 1.0
    assert scraped[("weave_rollout_scored_total", (("model_version", stack.candidate),))] == 30
    assert scraped[("weave_rollout_answers_total", (("model_version", stack.current),))] == 30

    aborted = gateway.post("/admin/rollout/abort", headers=ADMIN)
    assert aborted.status_code == 200 and aborted.json()["event"] == "aborted", aborted.text
    assert status(stack)["rollout"] is None
    assert state.keys(f"weave:rollout:*:{rollout_id}*") == []  # the evidence went with the rollout
    workers_follow(stack, None)
    again = gateway.post("/admin/rollout/abort", headers=ADMIN)
    assert again.status_code == 409 and again.json()["error"]["code"] == "no_rollout"


def test_canary_half_and_half_sticky_reports_counted_then_abort_and_promote(stack):
    gateway = stack.gateway_process
    body = {"candidate": stack.candidate, "mode": "canary", "share": 50}
    assert gateway.post("/admin/rollout", body, headers=ADMIN).status_code == 200
    workers_follow(stack, stack.candidate)
    messages = texts("lure", 20) + texts("chat", 20)
    first = predict_all(stack, messages)
    assert {a["model_version"] for a in first} == {stack.current, stack.candidate}
    for answer in first:
        mine = assigned_to_candidate(answer["message_hash"], stack.candidate, 50)
        assert answer["model_version"] == (stack.candidate if mine else stack.current)
    # The same texts again come from the cache, each under the version that answered it before.
    second = predict_all(stack, messages)
    assert all(a["cached"] for a in second)
    assert [a["model_version"] for a in second] == [a["model_version"] for a in first]

    # Users report some of the texts the candidate answered; the trainer's check joins them by hash.
    by_candidate = [(m, a) for m, a in zip(messages, first, strict=True) if a["model_version"] == stack.candidate]
    for message, answer in by_candidate:
        verdict = "피싱" if "han.gl" in message else "오탐"
        filed = {"timestamp": dt.datetime.now(dt.UTC), "risk_score": answer["phishing_probability"]}
        stack.reports.add(message, sender=SENDER, user_feedback=verdict, **filed)

    def reported() -> dict | None:
        reports = (status(stack)["last_check"] or {}).get("reports") or {}
        candidate = reports.get(stack.candidate) or {}
        return reports if candidate.get("answered") == len(by_candidate) else None

    reports = wait_until(reported, 30, "the rollout check to join the reports", interval_s=0.3)
    assert reports[stack.candidate]["reported"] == reports[stack.current]["reported"] == len(by_candidate)
    assert reports[stack.current]["answered"] == 0
    assert reports[stack.candidate]["recall"] == 1.0 and reports[stack.candidate]["precision"] == 1.0

    cli = subprocess.run(
        [str(BIN / "weave-ml"), "rollout", "status"],
        env=stack.env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert cli.returncode == 0, cli.stderr
    assert f"rollout of {stack.candidate} (canary 50%)" in cli.stdout and "agreement 100.0%" in cli.stdout

    # Abort: every text is the current model's again, the candidate's cached scores no longer answer.
    assert gateway.post("/admin/rollout/abort", headers=ADMIN).status_code == 200
    workers_follow(stack, None)
    wait_until(lambda: status(stack)["rollout"] is None, 5, "the gateway to see the abort")
    back = predict_all(stack, [m for m, _ in by_candidate])
    assert {a["model_version"] for a in back} == {stack.current}

    assert gateway.post("/admin/rollout", body, headers=ADMIN).status_code == 200
    workers_follow(stack, stack.candidate)
    promoted = gateway.post("/admin/rollout/promote", headers=ADMIN)
    assert promoted.status_code == 200, promoted.text
    assert (
        promoted.json()["current_version"] == stack.candidate and promoted.json()["previous_version"] == stack.current
    )
    workers_follow(stack, None, current=stack.candidate)
    assert {a["model_version"] for a in predict_all(stack, texts("chat", 5))} == {stack.candidate}
    assert stack.registry.current_version() == stack.candidate and stack.registry.rollout() is None


def test_a_candidate_whose_positive_rate_jumps_is_aborted_automatically(stack, seed_model):
    gateway = stack.gateway_process
    current = stack.registry.current_version()
    # The same model with its thresholds near zero: it flags nearly every message.
    eager = dataclasses.replace(seed_model, points=OperatingPoints(0.002, 0.001, 0.0005, 0.01, 0.005))
    candidate = publish(stack.registry, eager, make_current=False)
    started = gateway.post("/admin/rollout", {"candidate": candidate, "mode": "shadow"}, headers=ADMIN)
    assert started.status_code == 200, started.text
    workers_follow(stack, candidate)
    answers = predict_all(stack, texts("chat", 25))
    assert {a["model_version"] for a in answers} == {current}

    def aborted() -> dict | None:
        body = status(stack)
        return body["last_check"] if body["rollout"] is None else None

    check = wait_until(aborted, 30, "the automatic abort", interval_s=0.3)
    assert check["decision"]["action"] == "abort" and "positive rate" in check["decision"]["reason"]
    assert check["outcome"]["event"] == "aborted" and check["rollout"]["candidate"] == candidate
    state = redis.Redis.from_url(stack.env["CACHE_REDIS_URL"])
    assert state.keys(f"weave:rollout:*:{Rollout.from_dict(check['outcome']['rollout']).id}*") == []
    workers_follow(stack, None, current=current)
    assert stack.registry.current_version() == current
    assert os.path.isdir(stack.registry.versions_dir / candidate)  # aborted, not deleted

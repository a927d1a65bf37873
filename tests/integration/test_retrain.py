"""The retraining run on reports in a real MongoDB-wire server: checks, the quality gate, storage, the lock."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from devstack.processes import free_port
from tests.integration.mongo import honest, mongo_server_fixture, reports_fixture  # noqa: F401 - fixtures
from tests.lures import escrow_lures, ev_refund_lures
from weave_ml import names
from weave_ml.campaigns import examples
from weave_ml.campaigns.policy import Rules
from weave_ml.campaigns.signature import signature
from weave_ml.campaigns.store import CampaignStore
from weave_ml.cli import main
from weave_ml.model import calibration
from weave_ml.registry.rollout_record import SHADOW, Rollout
from weave_ml.registry.store import Registry
from weave_ml.settings import Settings, get_settings
from weave_ml.training import corpus, regression, retrain
from weave_ml.training import lock as locks
from weave_ml.training.run_report import RetrainReport
from weave_ml.training.train import publish

pytestmark = pytest.mark.integration

# Redis does not answer here: the run takes the registry's file lock instead.
NO_REDIS = "redis://127.0.0.1:9/0"
# The keys of each kind of run's report and summary, and their JSON types (tests/data/README.md): the runs folder,
# stored versions, the CLI, the task and the HTTP answer read these keys.
SHAPES = json.loads((Path(__file__).parents[1] / "data" / "retrain_report_shapes.json").read_text(encoding="utf-8"))
# Mappings whose keys are data (a message's source, why a report was left out): their values are all one shape.
DATA_KEYED = ("by_source", "left_out")


@pytest.fixture
def registry(tmp_path, seed_model) -> Registry:
    registry = Registry(tmp_path / "models")
    publish(registry, seed_model)
    return registry


def settings_for(reports, registry, **overrides) -> Settings:
    values = {"mongodb_uri": reports.uri, "model_dir": registry.root, "redis_url": NO_REDIS, **overrides}
    return Settings(**values)


def written_report(report: dict) -> dict:
    path = f"{report['report_dir']}/report.json"
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def shape(value: Any) -> Any:
    """A JSON value's keys, recursively, with the JSON type of each leaf in place of its value."""
    if isinstance(value, dict):
        return {key: _counts(item) if key in DATA_KEYED else shape(item) for key, item in value.items()}
    if isinstance(value, list):
        return [shape(item) for item in value]
    return {type(None): "null", bool: "boolean", int: "integer", float: "number", str: "string"}[type(value)]


def _counts(mapping: dict) -> str:
    assert all(isinstance(count, int) for count in mapping.values()), mapping
    return "{string: integer}"


def run_retrain(settings: Settings, kind: str, **kwargs: Any) -> dict:
    """Run one retrain and return its report as JSON, checked to have the keys ``kind`` of run always had (SHAPES),
    in its summary too, and to be what the run wrote."""
    report = retrain.run(settings, **kwargs)
    as_json = json.loads(json.dumps(report.to_dict()))
    assert shape(as_json) == SHAPES[kind]["report"]
    assert shape(report.summary()) == SHAPES[kind]["summary"]
    if isinstance(report, RetrainReport):
        assert written_report(as_json) == as_json
    return as_json


def test_too_few_reports_trains_nothing_and_says_why(reports, registry):
    for i in range(12):
        reports.add(f"report {i}", user_feedback="피싱" if i % 2 else "오탐")
    before = registry.current_version()

    report = run_retrain(settings_for(reports, registry), "skipped")

    assert report["decision"] == retrain.SKIPPED
    assert "only 12 labelled reports in the last 30 days; at least 50" in report["reason"]
    assert registry.current_version() == before and len(registry.versions()) == 1
    assert report["report_dir"] == str(registry.root / "runs" / report["run_id"])
    assert written_report(report)["reports"]["by_label_source"]["user_feedback"] == 12


def test_one_class_only_trains_nothing(reports, registry):
    reports.add_many(honest(reports, [m for m in corpus.generate(seed=5, size=200) if m.label][:60]))
    report = run_retrain(settings_for(reports, registry), "skipped")
    assert report["decision"] == retrain.SKIPPED
    assert "60 phishing and 0 normal" in report["reason"]


def test_unreachable_mongodb_fails_the_run_with_a_report(registry):
    settings = Settings(
        mongodb_uri=f"mongodb://u:pw@127.0.0.1:{free_port()}/weave", model_dir=registry.root, redis_url=NO_REDIS
    )
    with pytest.raises(retrain.RetrainFailed, match=r"127\.0\.0\.1:\d+ did not answer") as caught:
        retrain.run(settings)
    assert "pw" not in str(caught.value)
    runs = list((registry.root / "runs").iterdir())
    assert len(runs) == 1
    assert json.loads((runs[0] / "report.json").read_text())["decision"] == retrain.FAILED
    assert shape(json.loads((runs[0] / "report.json").read_text())) == SHAPES["failed"]["report"]


def test_a_second_run_while_one_holds_the_lock_returns_already_running(reports, registry, make_stack):
    settings = settings_for(reports, registry, redis_url=make_stack().env["REDIS_URL"])
    client = locks.redis_client(settings.redis_url)
    with locks.redis_lock(client, ttl_s=30) as held:
        assert held
        assert run_retrain(settings, "already_running")["decision"] == retrain.ALREADY_RUNNING
        assert 0 < client.pttl(names.RETRAIN_LOCK_KEY) <= 30_000
    # Without Redis, two in-process runs exclude each other through the registry's lock file.
    with locks.file_lock(registry.root) as held:
        assert held
        assert run_retrain(settings_for(reports, registry), "already_running")["decision"] == retrain.ALREADY_RUNNING
    assert run_retrain(settings, "skipped")["decision"] == retrain.SKIPPED  # free again: the run got as far as the data


def test_quality_gate_refuses_a_model_trained_on_poisoned_feedback(reports, registry):
    # A campaign marks two thousand known smishing texts as false alarms (오탐); a report's label wins over the
    # seed corpus's, so the candidate learns to let them through.
    poisoned = [m for m in corpus.generate() if m.label][:2000]
    documents = [
        {
            "message": m.message,
            "sender": m.sender,
            "timestamp": reports.now,
            "status": "pending",
            "risk_score": 0.95,
            "user_feedback": "오탐",
        }
        for m in poisoned
    ]
    documents += honest(reports, corpus.generate(seed=11, size=200))
    reports.add_many(documents)
    before = registry.current_version()

    report = run_retrain(settings_for(reports, registry), "refused")

    assert report["decision"] == retrain.REFUSED, report["reason"]
    assert "golden" in report["gate"]["reason"]
    assert registry.current_version() == before and len(registry.versions()) == 1
    written = written_report(report)
    assert written["evaluation"]["candidate"]["golden"]["mcc"] < written["evaluation"]["current"]["golden"]["mcc"]
    assert (registry.root / "runs" / report["run_id"] / "report.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_frozen_admin_verdicts_refuse_a_candidate_poisoned_by_user_verdicts(reports, registry, monkeypatch):
    # An admin verified thirty lures of a new campaign; then fifty new variants come in marked 정상 (normal) by
    # users. The fresh held-out reports carry the poisoned verdicts and the golden set holds no such lure, so only
    # the frozen verdicts can show what the candidate learned.
    # The hard negatives are held to the real rates here, as the small seed model is: under the looser guard the
    # poisoned candidate's medium threshold falls to about 0.06, where it still flags every verified lure (even with
    # 150 poisoned variants), and the gate rightly passes it. This test is about the gate, not the thresholds.
    monkeypatch.setattr(calibration, "GUARD_RATES", calibration.FLAG_RATES)
    verified = [
        {
            "message": text,
            "sender": "010-2345-6789",
            "timestamp": reports.now - dt.timedelta(days=3),
            "status": "verified",
        }
        for text in ev_refund_lures(1, 30)
    ]
    poisoned = [
        {"message": text, "sender": "010-2345-6789", "timestamp": reports.now, "user_feedback": "정상"}
        for text in ev_refund_lures(2, 50)
    ]
    reports.add_many([*verified, *poisoned, *honest(reports, corpus.generate(seed=11, size=200))])
    before = registry.current_version()

    report = run_retrain(settings_for(reports, registry), "refused_with_frozen_verdicts")

    assert report["decision"] == retrain.REFUSED, report["reason"]
    failed = {check["data"] for check in report["gate"]["checks"] if not check["passed"]}
    assert "verdicts" in failed, report["gate"]
    # The checks on poisonable or unrelated data pass: the gate before the frozen verdicts would have published it.
    assert not {"held_out", "golden"} & failed, report["gate"]
    assert "frozen admin verdicts" in report["reason"]
    assert registry.current_version() == before and len(registry.versions()) == 1
    written = written_report(report)
    candidate, current = written["evaluation"]["candidate"]["verdicts"], written["evaluation"]["current"]["verdicts"]
    assert candidate["n"] == current["n"] == 30
    assert candidate["spam_caught"] < current["spam_caught"]
    # The verdicts stay frozen for later runs; a user's later 정상 for one of those texts does not change them.
    frozen = regression.FrozenVerdicts(registry.root)
    assert sorted(m.message for m in frozen.load()) == sorted(ev_refund_lures(1, 30))
    assert {m.label for m in frozen.load()} == {1}
    assert "010-2345-6789" not in frozen.path.read_text(encoding="utf-8")


def test_the_template_of_a_phishing_campaign_trains_the_candidate_at_its_weight(
    reports, registry, redis_server, redis_db
):
    # Six senders blast the lure; the model scored them phishing (or a user reported one): a phishing campaign.
    # Its texts are not kept anywhere; the trainer's collection keeps its masked template for the retrain.
    client = redis_server.client(redis_db)
    store = CampaignStore(client, window_s=3600, rules=Rules(min_senders=5, phishing_share=0.5))
    blast = escrow_lures(1, 6)
    store.observe([signature(text) for text in blast], [f"010-4444-{n:04d}" for n in range(6)], [True] * 6)
    assert examples.collect(store, keep_s=30 * 86400)["held"] == 1
    reports.add_many(honest(reports, corpus.generate(seed=12, size=300)))
    later = escrow_lures(2, 30)  # variants the campaign sends next

    def retrained(weight: float) -> tuple[dict, float]:
        redis_url = redis_server.url(redis_db)
        settings = settings_for(reports, registry, redis_url=redis_url, campaign_examples_weight=weight)
        kind = "stored_with_campaign_templates" if weight else "stored_without_campaign_templates"
        report = run_retrain(settings, kind, now=reports.now)
        assert report["decision"] == retrain.PUBLISHED, report["reason"]
        scores = registry.load(report["version"]).scorer().probabilities(later, [None] * len(later))
        return report, float(np.mean(scores))

    report, with_template = retrained(0.3)
    assert report["training"]["campaign_examples"] == {"used": 1, "weight": 0.3, "max": 200}
    assert report["training"]["by_source"]["campaign"] == 1
    assert not any(text in json.dumps(report, ensure_ascii=False) for text in blast)
    skipped, without = retrained(0.0)
    assert skipped["training"]["campaign_examples"]["used"] == 0 and "campaign" not in skipped["training"]["by_source"]
    # The same data otherwise: what the one template adds to the lures that follow.
    print(f"\nmean probability of 30 later variants: {without:.3f} without the template, {with_template:.3f} with it")
    assert with_template > without + 0.05, (with_template, without)
    client.flushdb()


def test_cli_retrain_without_auto_deploy_stores_a_candidate(reports, registry, monkeypatch, capsys):
    fresh = corpus.generate(seed=12, size=300)
    reports.add_many(honest(reports, fresh))
    before = registry.current_version()
    monkeypatch.setenv("MONGODB_URI", reports.uri)
    monkeypatch.setenv("REDIS_URL", NO_REDIS)
    monkeypatch.setenv("ML_AUTO_DEPLOY", "false")
    get_settings.cache_clear()

    assert main(["retrain", "--model-dir", str(registry.root)]) == 0

    report = json.loads(capsys.readouterr().out)
    assert shape(report) == SHAPES["stored_without_campaign_templates"]["report"]
    assert report["decision"] == retrain.CANDIDATE and report["gate"]["passed"]
    # No Redis: trained without campaign templates, and the report says why.
    assert report["training"]["campaign_examples"]["used"] == 0
    assert report["training"]["campaign_examples"]["skipped"] == "Redis could not be read: ConnectionError"
    version = report["version"]
    assert registry.current_version() == before
    meta = registry.metadata(version)
    assert meta["status"] == "candidate" and meta["parent_version"] == before
    assert meta["training_data"]["reports"]["by_label_source"]["user_feedback"] == 300
    assert meta["training_data"]["window"]["days"] == 30
    version_dir = registry.versions_dir / version
    assert json.loads((version_dir / "report.json").read_text())["decision"] == retrain.CANDIDATE
    assert (version_dir / "report.png").stat().st_size > 10_000
    registry.rollback(version)  # how an operator promotes it
    assert registry.load().version == version


def test_a_retrain_does_not_move_the_pointer_under_a_running_rollout(reports, registry, seed_model):
    reports.add_many(honest(reports, corpus.generate(seed=13, size=300)))
    current = registry.current_version()
    candidate = publish(registry, seed_model, make_current=False)
    registry.set_rollout(Rollout.begin(candidate, SHADOW, None, current))

    report = retrain.run(settings_for(reports, registry), now=reports.now).to_dict()

    assert report["decision"] == retrain.CANDIDATE and report["gate"]["passed"]
    assert f"a rollout of {candidate} is in progress" in report["reason"]
    assert registry.current_version() == current  # the rollout's baseline stays what its evidence was measured on
    assert registry.metadata(report["version"])["status"] == "candidate"
    rollout = registry.rollout()
    assert rollout is not None and rollout.candidate == candidate


@pytest.fixture(autouse=True)
def _fresh_settings():
    """Settings are read once per process; a test that changes the environment gets them read again."""
    yield
    get_settings.cache_clear()

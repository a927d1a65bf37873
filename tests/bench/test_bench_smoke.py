"""The benchmark's smoke mode runs end to end, so ``make bench`` cannot rot; no timing is asserted."""

import json
import shutil
import subprocess
import sys

import pytest

from devstack import ROOT

# bench.run starts its own redis-server, workers and gateways.
pytestmark = pytest.mark.integration

SCENARIOS = {
    ("predict_unique_c32", "requests_per_s"),
    ("predict_unique_c32", "p99_ms"),
    ("predict_unique_c32", "cpu_ms_per_answer"),
    ("predict_unique_c32", "redis_cmds_per_req"),
    ("predict_unique_c1", "p50_ms"),
    ("predict_unique_c1", "p99_ms"),
    ("predict_unique_c1", "cpu_ms_per_answer"),
    ("predict_unique_c1", "redis_cmds_per_req"),
    ("predict_repeated_c32", "requests_per_s"),
    ("predict_repeated_c32", "cpu_ms_per_answer"),
    ("predict_repeated_c32", "redis_cmds_per_req"),
    ("predict_during_batch", "p99_ms"),
    ("predict_during_batch", "errors"),
    ("batch_100k", "messages_per_s"),
    ("scale_out_1_to_2", "messages_per_s"),
    ("campaign_predict", "cpu_ms_per_message"),
    ("campaign_alone", "cpu_ms_per_message"),
    ("campaign_repeat", "cpu_ms_per_message"),
    ("campaign_batch", "cpu_ms_per_message"),
    ("retrain_100k", "seconds"),
    ("retrain_100k", "peak_rss_mib"),
    ("retrain_1m_reports", "fill_seconds"),
    ("retrain_1m_reports", "seconds"),
    ("retrain_1m_reports", "cpu_seconds"),
    ("retrain_1m_reports", "peak_rss_mib"),
}
# Rows compared with peers, and the peers each is compared with.
PEERS = {
    "predict_unique_c32": {"flask", "fastapi"},
    "predict_unique_c1": {"flask", "fastapi"},
    "predict_repeated_c32": {"flask", "fastapi"},
    "predict_during_batch": {"alone"},
    "batch_100k": {"raw 2 processes"},
    "scale_out_1_to_2": {"1 worker"},
}


@pytest.mark.skipif(not shutil.which("wrk"), reason="wrk is not installed (apt-get install wrk)")
# Three servers, two rounds of every scenario, worker restarts: about a minute and a half on a quiet machine, far
# more on a busy one.
@pytest.mark.timeout(900)
def test_benchmark_smoke_run_writes_every_scenario(tmp_path):
    output = tmp_path / "latest.json"
    subprocess.run(
        [sys.executable, "-m", "bench.run", "--smoke", "--output", str(output)], cwd=ROOT, check=True, timeout=840
    )
    result = json.loads(output.read_text())
    assert result["machine"] and result["date"] and result["smoke"] is True and result["errors"] == 0
    assert result["rounds"] >= 2
    assert {(s["name"], s["metric"]) for s in result["scenarios"]} == SCENARIOS
    for scenario in result["scenarios"]:
        assert set(scenario) == {"name", "metric", "weave", "peers", "ratio", "spread", "rounds", "target", "met"}
        assert isinstance(scenario["met"], bool)
        if scenario["metric"] != "errors":
            assert scenario["weave"] > 0
        if scenario["ratio"] is None:  # a figure, perhaps with what it is read beside, not measured in rounds
            assert not scenario["rounds"]
            continue
        # Every round measured weave-ml and each peer, in alternating order; the ratio is the rounds' median.
        assert set(scenario["peers"]) == PEERS[scenario["name"]]
        assert len(scenario["rounds"]) == result["rounds"]
        assert all(set(r) == {"weave-ml", *PEERS[scenario["name"]]} for r in scenario["rounds"])
        assert list(scenario["rounds"][0]) == list(reversed(list(scenario["rounds"][1])))
        low, high = scenario["spread"]
        assert 0 < low <= scenario["ratio"] <= high


@pytest.mark.skipif(not shutil.which("wrk"), reason="wrk is not installed (apt-get install wrk)")
@pytest.mark.timeout(600)
def test_only_the_named_scenarios_run(tmp_path):
    output = tmp_path / "some.json"
    command = [sys.executable, "-m", "bench.run", "--smoke", "--only", "campaign,predict_unique_c1"]
    subprocess.run([*command, "--output", str(output)], cwd=ROOT, check=True, timeout=540)
    result = json.loads(output.read_text())
    assert {s["name"] for s in result["scenarios"]} == {
        "predict_unique_c1",
        "campaign_predict",
        "campaign_alone",
        "campaign_repeat",
        "campaign_batch",
    }
    assert result["command"].endswith("--only campaign,predict_unique_c1")
    refused = subprocess.run(
        [*command[:-1], "nonsense"], check=False, cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert refused.returncode == 2 and "unknown scenarios: nonsense" in refused.stderr

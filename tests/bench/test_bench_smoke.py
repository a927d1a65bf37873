"""The benchmark's smoke mode runs end to end, so ``make bench`` cannot rot; no timing is asserted."""

import json
import shutil
import subprocess
import sys

import pytest

from devstack import ROOT

SCENARIOS = {
    ("predict_unique_c32", "requests_per_s"),
    ("predict_unique_c32", "p99_ms"),
    ("predict_c1", "p50_ms"),
    ("predict_c1", "p99_ms"),
    ("predict_cached_c32", "requests_per_s"),
    ("batch_100k", "messages_per_s"),
    ("campaign_predict", "cpu_ms_per_message"),
    ("campaign_batch", "cpu_ms_per_message"),
    ("retrain_100k", "seconds"),
    ("retrain_100k", "peak_rss_mib"),
    ("retrain_1m_reports", "fill_seconds"),
    ("retrain_1m_reports", "seconds"),
    ("retrain_1m_reports", "cpu_seconds"),
    ("retrain_1m_reports", "peak_rss_mib"),
}


@pytest.mark.skipif(not shutil.which("wrk"), reason="wrk is not installed (apt-get install wrk)")
def test_benchmark_smoke_run_writes_every_scenario(tmp_path):
    output = tmp_path / "latest.json"
    subprocess.run(
        [sys.executable, "-m", "bench.run", "--smoke", "--output", str(output)], cwd=ROOT, check=True, timeout=600
    )
    result = json.loads(output.read_text())
    assert result["machine"] and result["smoke"] is True and result["errors"] == 0
    assert {(s["name"], s["metric"]) for s in result["scenarios"]} == SCENARIOS
    for scenario in result["scenarios"]:
        assert set(scenario) == {"name", "metric", "weave", "baseline", "ratio", "target", "met"}
        assert scenario["weave"] > 0 and isinstance(scenario["met"], bool)

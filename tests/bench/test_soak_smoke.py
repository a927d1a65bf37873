"""A 20-second run of the soak (``python -m bench.soak``): mixed load, a model published half-way, no error."""

import json
import subprocess
import sys

import pytest

from devstack import ROOT

pytestmark = pytest.mark.integration


def test_twenty_seconds_of_mixed_load_without_an_error(tmp_path):
    output = tmp_path / "soak.json"
    # Memory growth is judged over minutes (the soak's default is five), not in a 20-second run.
    argv = [sys.executable, "-m", "bench.soak", "--duration", "20", "--max-growth", "inf", "--output", str(output)]
    finished = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=600, check=False)
    assert finished.returncode == 0, finished.stderr[-3000:]
    result = json.loads(output.read_text())
    assert result["errors"] == 0, result["error_samples"]
    assert {"predict_unique", "predict_cached", "batch"} <= set(result["requests"])
    assert result["answers_by_version"].get(result["published_version"], 0) > 0  # the workers reloaded
    assert set(result["rss_kib_at_end"]) == set(result["rss_kib_after_warm_up"])

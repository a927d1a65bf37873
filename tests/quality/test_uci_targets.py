"""The model's quality on the UCI SMS Spam Collection, through the command a user runs."""

import json
import subprocess
import sys

import pytest

from tests.conftest import UCI_PATH

pytestmark = pytest.mark.quality


def evaluate(protocol: str) -> dict:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "weave_ml.cli",
            "evaluate",
            "--data",
            str(UCI_PATH),
            "--format",
            "uci",
            "--protocol",
            protocol,
            "--json",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout)


def test_almeida_protocol_beats_the_targets():
    result = evaluate("almeida")
    assert result["n"] == 3902  # the last 70% of 5,574 lines
    assert result["mcc"] >= 0.955
    assert result["spam_caught"] >= 0.93
    assert result["ham_blocked"] <= 0.002
    assert result["roc_auc"] > result["accuracy"] - 0.01 > 0.97


@pytest.mark.parametrize("protocol", ["cv5"])
def test_grouped_cross_validation_beats_the_target(protocol):
    result = evaluate(protocol)
    assert result["n"] == 5574
    assert result["mcc"] >= 0.96

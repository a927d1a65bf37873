"""deploy/deploy.sh against a fake `docker`: a healthy deploy is remembered, a failed one is rolled back."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.deploy.conftest import ROOT

# Answers the few docker commands deploy.sh uses. Deploys are appended to $FAKE/deploys; a stack deployed
# with an image whose name holds "bad" is reported as rolled back by Swarm.
FAKE_DOCKER = r"""#!/usr/bin/env bash
set -euo pipefail
case "$1 ${2:-}" in
    "login "*) cat >/dev/null ;;
    "pull "*) [[ "$*" != *missing* ]] ;;
    "stack deploy") echo "$ML_INFERENCE_IMAGE $ML_TRAINER_IMAGE" >>"$FAKE/deploys" ;;
    "service inspect")
        current="$(tail -n 1 "$FAKE/deploys" 2>/dev/null || true)"
        if [[ "$4" == *UpdateStatus* ]]; then
            [[ "$current" == *bad* ]] && echo rollback_completed || echo completed
        else
            echo "${current%% *}@sha256:0123"
        fi ;;
    "service ls") name="${4#name=}"; echo "$name 1/1" ;;
    "ps "* | "stack ps" | "image prune") ;;
    *) echo "fake docker: unexpected $*" >&2; exit 1 ;;
esac
"""

REGISTRY = "123.dkr.ecr.ap-northeast-2.amazonaws.com"


@pytest.fixture
def stack_dir(tmp_path) -> Path:
    """A copy of the stack files as the workflow lays them out on the host, with a fake docker."""
    (tmp_path / "deploy").mkdir()
    shutil.copy(ROOT / "deploy" / "deploy.sh", tmp_path / "deploy" / "deploy.sh")
    shutil.copy(ROOT / "docker-compose.prod.yml", tmp_path)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "docker").write_text(FAKE_DOCKER)
    (bin_dir / "docker").chmod(0o755)
    return tmp_path


def write_env(stack_dir: Path, tag: str, extra: str = "") -> None:
    (stack_dir / ".env").write_text(
        f"ML_INFERENCE_IMAGE={REGISTRY}/weave-ml-inference:{tag}\n"
        f"ML_TRAINER_IMAGE={REGISTRY}/weave-ml-trainer:{tag}\n"
        f"ECR_REGISTRY={REGISTRY}\n"
        "# a comment\n\n" + extra
    )


def deploy(stack_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    # curl is left out of PATH: the smoke check through the published port is skipped.
    tools = stack_dir / "tools"
    tools.mkdir(exist_ok=True)
    for name in (
        "bash",
        "env",
        "date",
        "sed",
        "awk",
        "head",
        "mkdir",
        "mv",
        "chmod",
        "cat",
        "tail",
        "sleep",
        "dirname",
    ):
        found = shutil.which(name)
        if not (tools / name).exists() and found:
            (tools / name).symlink_to(found)
    env = {
        "PATH": f"{stack_dir / 'bin'}{os.pathsep}{tools}",
        "FAKE": str(stack_dir),
        "ECR_LOGIN_PASSWORD": "secret",
        "HEALTH_POLL_S": "0",
        "HEALTH_TIMEOUT_S": "5",
    }
    return subprocess.run(
        [str(tools / "bash"), str(stack_dir / "deploy" / "deploy.sh"), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def deploys(stack_dir: Path) -> list[str]:
    return (stack_dir / "deploys").read_text().splitlines()


def test_a_healthy_deploy_is_remembered(stack_dir):
    write_env(stack_dir, "good1")
    result = deploy(stack_dir)
    assert result.returncode == 0, result.stderr
    assert deploys(stack_dir) == [f"{REGISTRY}/weave-ml-inference:good1 {REGISTRY}/weave-ml-trainer:good1"]
    assert "ML_INFERENCE_IMAGE=" in (stack_dir / ".deploy-state" / "last-good.env").read_text()
    # The file holds secrets.
    assert (stack_dir / ".env").stat().st_mode & 0o777 == 0o600


def test_a_failed_deploy_rolls_back_to_the_last_good_images(stack_dir):
    write_env(stack_dir, "good1")
    assert deploy(stack_dir).returncode == 0
    write_env(stack_dir, "bad2")
    result = deploy(stack_dir)
    assert result.returncode == 1
    assert "rolled back" in result.stderr
    assert [line.split()[0].rsplit(":", 1)[1] for line in deploys(stack_dir)] == ["good1", "bad2", "good1"]


def test_a_missing_image_stops_before_the_stack_is_touched(stack_dir):
    write_env(stack_dir, "missing3")
    assert deploy(stack_dir).returncode != 0
    assert not (stack_dir / "deploys").exists()


def test_rollback_to_a_tag(stack_dir):
    write_env(stack_dir, "good1")
    result = deploy(stack_dir, "rollback", "abc123")
    assert result.returncode == 0, result.stderr
    assert deploys(stack_dir) == [f"{REGISTRY}/weave-ml-inference:abc123 {REGISTRY}/weave-ml-trainer:abc123"]


def test_env_values_are_read_literally(stack_dir):
    """A secret may hold $, spaces or quotes: .env is read, never evaluated by the shell."""
    write_env(stack_dir, "good1", "ML_CRON_SCHEDULE=0 2 * * 0\nREDIS_PASSWORD='$(touch pwned)'\n")
    result = deploy(stack_dir)
    assert result.returncode == 0, result.stderr
    assert not (stack_dir / "pwned").exists()
    assert not (stack_dir / "deploy" / "pwned").exists()

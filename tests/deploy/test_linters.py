"""The deployment files pass their linters and schemas: actionlint, shellcheck, hadolint, compose-spec."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.deploy.conftest import LOCAL_FILE, ROOT, STACK_FILE, env_example, tool, tool_env

AUTOSCALE_FILE = ROOT / "deploy" / "autoscale" / "docker-compose.autoscale.yml"

WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
SKIPPED_DIRS = {".git", ".venv", "var", "node_modules", "__pycache__", ".pytest_cache", ".ruff_cache"}


def shell_scripts() -> list[Path]:
    """Return every shell script of the repository: *.sh files and files with a sh/bash shebang."""
    found = []
    for path in sorted(ROOT.rglob("*")):
        if SKIPPED_DIRS.intersection(path.relative_to(ROOT).parts) or not path.is_file():
            continue
        if path.suffix in {".sh", ".bash"}:
            found.append(path)
        elif path.suffix == "":
            with path.open("rb") as handle:
                first = handle.readline(100)
            if first.startswith(b"#!") and first.split(b"/")[-1].split()[-1] in {b"sh", b"bash"}:
                found.append(path)
    return found


def run(argv: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, cwd=ROOT, env=tool_env(), capture_output=True, text=True, timeout=120, check=False)


def test_shell_scripts_are_found():
    names = {path.relative_to(ROOT).as_posix() for path in shell_scripts()}
    assert {".ci/run", "deploy/deploy.sh", "deploy/entrypoint.sh"} <= names


@pytest.mark.parametrize("script", shell_scripts(), ids=lambda path: path.relative_to(ROOT).as_posix())
def test_shellcheck(script):
    result = run([tool("shellcheck"), "--external-sources", str(script)])
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda path: path.name)
def test_actionlint(workflow):
    result = run([tool("actionlint"), "-no-color", str(workflow)])
    assert result.returncode == 0, result.stdout + result.stderr


def test_hadolint():
    result = run([tool("hadolint"), "--no-color", "--failure-threshold", "info", "Dockerfile"])
    assert result.returncode == 0, result.stdout + result.stderr


# check-jsonschema ships the Compose Specification's schema (compose-spec/compose-spec, Apache-2.0) and
# SchemaStore's GitHub workflow schema: nothing is downloaded when they run.
@pytest.mark.parametrize(
    ("schema", "path"),
    [
        ("vendor.compose-spec", STACK_FILE),
        ("vendor.compose-spec", LOCAL_FILE),
        ("vendor.compose-spec", AUTOSCALE_FILE),
        ("vendor.github-workflows", ROOT / ".github" / "workflows" / "deploy.yml"),
    ],
    ids=lambda value: value.name if isinstance(value, Path) else value,
)
def test_json_schema(schema, path):
    result = run([tool("check-jsonschema"), "--no-cache", "--builtin-schema", schema, str(path)])
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("path", [STACK_FILE, AUTOSCALE_FILE], ids=lambda path: path.name)
def test_swarm_loader_accepts_the_stack(path):
    """`docker stack config` merges and fills the file with Swarm's own loader, no engine needed."""
    docker = shutil.which("docker")
    if docker is None:
        pytest.skip("the docker CLI is not installed: Swarm's own loader is not run (the schema test still is)")
    # The docker group's id is the host's own, so .env.example leaves it empty.
    env = {**tool_env(), **env_example(), "DOCKER_GID": "999"}
    result = subprocess.run(
        [docker, "stack", "config", "--compose-file", str(path)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "image: weave-ml-inference:local" in result.stdout


def test_ecr_lifecycle_policy_keeps_the_last_ten_images():
    policy = json.loads((ROOT / "deploy" / "ecr-lifecycle-policy.json").read_text())
    (rule,) = policy["rules"]
    assert rule["selection"] == {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 10}
    assert rule["action"] == {"type": "expire"}

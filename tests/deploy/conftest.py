"""Readers of the deployment files: the Procfile, the stack file with its variables filled, the Dockerfile."""

from __future__ import annotations

import os
import shlex
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest

from devstack.procfile import processes
from devstack.stackfile import read

ROOT = Path(__file__).resolve().parents[2]
STACK_FILE = ROOT / "docker-compose.prod.yml"
LOCAL_FILE = ROOT / "docker-compose.local.yml"
ENV_EXAMPLE = ROOT / ".env.example"
# The linters come with the `test` extra into the interpreter's own bin folder.
TOOL_DIR = Path(sys.executable).parent


def tool(name: str) -> str:
    """Return the path of a linter, skipping the test (with the reason) when it is not installed."""
    path = shutil.which(name, path=f"{TOOL_DIR}{os.pathsep}{os.environ.get('PATH', '')}")
    if path is None:
        pytest.skip(f"{name} is not installed (it comes with `pip install -e '.[test]'`)")
    return path


def tool_env() -> dict[str, str]:
    """Return an environment whose PATH finds the linters first (actionlint runs shellcheck on `run:` steps)."""
    return {**os.environ, "PATH": f"{TOOL_DIR}{os.pathsep}{os.environ.get('PATH', '')}"}


def procfile() -> dict[str, str]:
    """Return the Procfile's processes: name → command line."""
    return processes(ROOT / "Procfile")


def env_example() -> dict[str, str]:
    """Return the variables of .env.example."""
    values = {}
    for line in ENV_EXAMPLE.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, _, value = line.partition("=")
            values[key.strip()] = value.strip()
    return values


def stack(variables: dict[str, str] | None = None) -> dict[str, Any]:
    """Return the production stack with its variables filled (default: from .env.example)."""
    return read(env_example() if variables is None else variables, STACK_FILE)


def dockerfile_env() -> dict[str, str]:
    """Return the ENV defaults of the Dockerfile's runtime stage (PATH left out)."""
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    values: dict[str, str] = {}
    for line in text.splitlines():
        if line.startswith("ENV "):
            for pair in shlex.split(line[4:]):
                key, _, value = pair.partition("=")
                if key != "PATH":
                    values[key] = value
    return values


def dockerfile_instructions(name: str) -> list[str]:
    """Return the arguments of every ``name`` instruction of the Dockerfile, continuation lines joined."""
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    return [line[len(name) + 1 :].strip() for line in text.splitlines() if line.startswith(f"{name} ")]

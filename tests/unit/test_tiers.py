"""The test tiers hold what their folders say (tests/README.md): every module of tests/integration is marked
``integration``, and so is every other module that starts the project's processes; every module of tests/quality is
marked ``quality``; no unit module is marked either (tests/unit/conftest.py keeps servers and full models out)."""

import ast
import functools
from pathlib import Path

import pytest

from devstack import deployment, processes

ROOT = Path(__file__).resolve().parents[2]
TESTS = ROOT / "tests"
# This one names the process starters to find them.
MODULES = sorted(path for path in TESTS.rglob("test_*.py") if path != Path(__file__).resolve())


def _subclasses(cls: type) -> set[type]:
    direct: list[type] = cls.__subclasses__()
    return {cls}.union(*map(_subclasses, direct))


@functools.cache
def _mentions(path: Path) -> frozenset[str]:
    """Every name a module imports or uses, and every string it holds."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Name):
            found.add(node.id)
        elif isinstance(node, ast.alias):
            found.add(node.asname or node.name)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            found.add(node.value)
    return frozenset(found)


# devstack's processes and deployments, and the `python -m` commands that start them.
PROCESSES = {
    cls.__name__
    for cls in _subclasses(processes.Process) | {deployment.Deployment}
    if cls.__module__.startswith("devstack.")
}
COMMANDS = {"devstack"} | {
    f"bench.{path.stem}" for path in (ROOT / "bench").glob("*.py") if PROCESSES & _mentions(path)
}


def _marks(path: Path) -> set[str]:
    """The marks of a module's ``pytestmark``, as written (``pytest.mark.integration``)."""
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and any(getattr(target, "id", None) == "pytestmark" for target in node.targets):
            values = node.value.elts if isinstance(node.value, ast.List | ast.Tuple) else [node.value]
            return {ast.unparse(value) for value in values}
    return set()


def _starts_processes(path: Path) -> bool:
    """Whether a module, or the conftest of its folder, starts the project's processes."""
    conftest = path.parent / "conftest.py"
    mentioned = _mentions(path) | (_mentions(conftest) if conftest.is_file() else frozenset())
    return bool((PROCESSES | COMMANDS) & mentioned)


def _name(path: Path) -> str:
    return path.relative_to(TESTS).as_posix()


def test_the_process_starters_are_found():
    assert {"RedisServer", "CeleryWorker", "Gateway", "Deployment"} <= PROCESSES
    assert {"bench.run", "bench.soak"} <= COMMANDS


@pytest.mark.parametrize("module", MODULES, ids=_name)
def test_a_module_is_marked_for_its_tier(module):
    marks, tier = _marks(module), module.relative_to(TESTS).parts[0]
    if tier == "integration" or _starts_processes(module):
        assert "pytest.mark.integration" in marks, f"{_name(module)} starts processes: its pytestmark needs integration"
    if tier == "quality":
        assert "pytest.mark.quality" in marks, f"{_name(module)} trains full models: its pytestmark needs quality"
    if tier == "unit":
        assert not marks & {"pytest.mark.integration", "pytest.mark.quality"}, f"{_name(module)} belongs in its tier"

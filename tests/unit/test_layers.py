"""The library's subpackages form layers: each imports only from the layers below it, and no module imports itself
back through another (docs/architecture.md lists the same order)."""

import ast
import functools
import subprocess
import sys
from pathlib import Path

import pytest

LIBRARY = Path(__file__).resolve().parents[2] / "weave_ml"
# Lowest first. Plumbing (settings, names, connections, logs, counters, worker states) is the top-level modules,
# importable by every layer; the CLI (weave_ml.cli) sits above everything.
LAYERS = ("model", "registry", "reports", "rollouts", "reputation", "campaigns", "serving", "training", "scaling")
PLUMBING = ("settings", "names", "connections", "logs", "counters", "worker_states", "lifetime", "__init__")


@functools.cache
def _imports() -> dict[str, set[str]]:
    """Module name → the weave_ml modules it imports."""
    found: dict[str, set[str]] = {}
    for path in LIBRARY.rglob("*.py"):
        name = ".".join(path.relative_to(LIBRARY.parent).with_suffix("").parts).removesuffix(".__init__")
        targets: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").startswith("weave_ml"):
                assert node.module is not None
                # ``from weave_ml.campaigns import policy`` imports the module weave_ml.campaigns.policy.
                for alias in node.names:
                    submodule = f"{node.module}.{alias.name}"
                    is_module = (LIBRARY.parent / submodule.replace(".", "/")).with_suffix(".py").is_file()
                    targets.add(submodule if is_module else node.module)
            elif isinstance(node, ast.Import):
                targets.update(alias.name for alias in node.names if alias.name.startswith("weave_ml"))
        found[name] = targets
    return found


def _layer(module: str) -> int | None:
    """A module's layer (its index in LAYERS), -1 for plumbing, None for the CLI and the package itself."""
    parts = module.split(".")
    if len(parts) == 1:
        return -1
    if parts[1] in LAYERS:
        return LAYERS.index(parts[1])
    if parts[1] in PLUMBING:
        return -1
    return None


def test_every_subpackage_is_in_a_layer():
    packages = {path.parent.name for path in LIBRARY.glob("*/__init__.py")}
    assert packages == set(LAYERS)


@pytest.mark.parametrize("module", sorted(_imports()))
def test_a_module_imports_only_from_its_own_layer_or_below(module):
    own = _layer(module)
    if own is None:  # the CLI may use every layer
        return
    upward = sorted(target for target in _imports()[module] if (_layer(target) or 0) > own)
    if own == -1:  # plumbing imports plumbing only
        upward = sorted(target for target in _imports()[module] if _layer(target) != -1)
    assert not upward, f"{module} imports from a higher layer: {upward}"


def test_no_import_cycle():
    # A package importing its own submodules (``from weave_ml.training.corpus import everyday`` in its __init__) is
    # how a package exposes them, not a cycle.
    graph = {
        module: {t for t in targets if t in _imports() and not t.startswith(f"{module}.") and t != module}
        for module, targets in _imports().items()
    }
    visiting: set[str] = set()
    done: set[str] = set()

    def visit(module: str, trail: list[str]) -> None:
        if module in done:
            return
        assert module not in visiting, f"import cycle: {' → '.join([*trail, module])}"
        visiting.add(module)
        for target in sorted(graph[module]):
            visit(target, [*trail, module])
        visiting.discard(module)
        done.add(module)

    for module in sorted(graph):
        visit(module, [])


GATEWAY_MODULES = (
    "api",
    "api.errors",
    "api.gateway",
    "api.metrics",
    "api.openapi",
    "api.ratelimit",
    "api.routes.admin",
    "api.routes.batch",
    "api.routes.campaigns",
    "api.routes.health",
    "api.routes.predict",
    "api.routes.reputation",
    "api.routes.rollout",
    "api.serve",
    "workers.celery_app",
)
# What beat and Flower import: the app and the modules its `imports` setting names (for the tasks' names).
BEAT_AND_FLOWER_MODULES = (
    "workers.celery_app",
    "workers.tasks",
    "workers.rollout_tasks",
    "workers.campaign_tasks",
    "workers.runtime",
    "beat_schedule",
)
MODEL_LIBRARIES = ("sklearn", "scipy", "skops", "joblib", "pandas", "matplotlib", "pymongo")


@pytest.mark.parametrize("modules", [GATEWAY_MODULES, BEAT_AND_FLOWER_MODULES], ids=["gateway", "beat and Flower"])
def test_processes_that_never_score_import_no_model_library(modules):
    """The gateway, beat and Flower never load a model: scikit-learn, scipy or pymongo would only cost them memory
    (the scoring and training workers import them where they load a model, train or read reports)."""
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        f"print(sorted({{m.split('.')[0] for m in sys.modules}} & set({MODEL_LIBRARIES!r})))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"

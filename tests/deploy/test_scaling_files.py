"""The optional scaling files agree with the service they scale: the Swarm scaler's stack and KEDA's ScaledObject
name real settings, services, networks and metrics, with the scaler's own defaults; only the socket proxy holds the
engine's socket, and only the scoring workers carry the label that lets the scaler size them."""

from __future__ import annotations

import re

from devstack.stackfile import load_yaml
from tests.deploy.conftest import ROOT, STACK_FILE
from weave_ml.scaling.docker_engine import SCALABLE_LABEL
from weave_ml.settings import VARIABLES, Settings

AUTOSCALE_FILE = ROOT / "deploy" / "autoscale" / "docker-compose.autoscale.yml"
KEDA_FILE = ROOT / "deploy" / "keda" / "scaledobject.yaml"
DEFAULTS = Settings()


def _default_of(value: str) -> str | None:
    """The default of a ``${NAME:-default}`` reference, else None."""
    found = re.fullmatch(r"\$\{\w+:-([^}]*)\}", value)
    return found.group(1) if found else None


def test_the_swarm_scaler_stack_names_real_settings_with_their_defaults():
    service = load_yaml(AUTOSCALE_FILE)["services"]["ml-autoscale"]
    assert service["command"] == ["weave-ml", "autoscale"]
    environment = service["environment"]
    assert set(environment) <= set(VARIABLES)
    for name, value in environment.items():
        default = _default_of(str(value))
        if name.startswith("AUTOSCALE_") and default is not None:
            attribute = VARIABLES[name].attribute
            assert str(default) == str(getattr(DEFAULTS, attribute)).removesuffix(".0"), name


def test_the_swarm_scaler_reaches_the_main_stack_on_its_network_and_scales_its_workers():
    stack = load_yaml(STACK_FILE)
    scaler = load_yaml(AUTOSCALE_FILE)
    external = scaler["networks"]["backend"]
    stack_name = "weave-ml"  # deploy.sh: docker stack deploy … weave-ml
    assert external["external"] is True and external["name"] == f"{stack_name}_backend"
    assert "backend" in stack["networks"] and "backend" in scaler["services"]["ml-autoscale"]["networks"]
    service, _, worker = DEFAULTS.autoscale_service.partition("_")
    assert service == stack_name and worker in stack["services"] and "backend" in stack["services"][worker]["networks"]
    assert "redis-broker" in stack["services"]
    assert (
        "stack deploy" in (ROOT / "deploy" / "deploy.sh").read_text()
        and f" {stack_name}" in (ROOT / "deploy" / "deploy.sh").read_text()
    )


def test_only_the_proxy_holds_the_engine_socket_and_only_the_scaler_reaches_the_proxy():
    scaler_stack = load_yaml(AUTOSCALE_FILE)
    scaler, proxy = scaler_stack["services"]["ml-autoscale"], scaler_stack["services"]["docker-api"]
    assert "volumes" not in scaler and "docker.sock" not in str(scaler)
    (socket,) = proxy["volumes"]
    assert (socket["source"], socket["read_only"]) == ("/var/run/docker.sock", True)
    command = proxy["command"]
    assert command[:3] == ["python", "-m", "weave_ml.scaling.socket_proxy"]
    options = dict(zip(command[3::2], command[4::2], strict=True))
    assert options["--engine"] == f"unix://{socket['target']}"
    port = options["--listen"].rpartition(":")[2]
    assert scaler["environment"]["AUTOSCALE_DOCKER_URL"] == f"http://docker-api:{port}"
    # A network of their own: internal, and no other service of either stack on it.
    assert scaler_stack["networks"]["docker-api"]["internal"] is True
    assert proxy["networks"] == ["docker-api"]
    assert [name for name, service in scaler_stack["services"].items() if "docker-api" in service["networks"]] == [
        "ml-autoscale",
        "docker-api",
    ]
    assert proxy["deploy"]["placement"]["constraints"] == ["node.role == manager"]
    metrics_port = scaler["environment"]["AUTOSCALE_METRICS_PORT"]
    assert f"127.0.0.1:{metrics_port}/healthz" in " ".join(scaler["healthcheck"]["test"])


def test_the_scoring_workers_are_the_one_service_of_the_main_stack_the_scaler_may_size():
    services = load_yaml(STACK_FILE)["services"]
    labelled = [
        name
        for name, service in services.items()
        if (service.get("deploy") or {}).get("labels", {}).get(SCALABLE_LABEL) == "true"
    ]
    assert labelled == [DEFAULTS.autoscale_service.partition("_")[2]] == ["ml-worker"]


def test_keda_scales_on_the_gauge_the_gateway_exports_with_the_scalers_bounds():
    scaled = load_yaml(KEDA_FILE)
    assert scaled["apiVersion"] == "keda.sh/v1alpha1" and scaled["kind"] == "ScaledObject"
    spec = scaled["spec"]
    assert (spec["minReplicaCount"], spec["maxReplicaCount"]) == (
        DEFAULTS.autoscale_min_replicas,
        DEFAULTS.autoscale_max_replicas,
    )
    assert (spec["pollingInterval"], spec["cooldownPeriod"]) == (
        DEFAULTS.autoscale_interval_s,
        DEFAULTS.autoscale_cooldown_s,
    )
    (trigger,) = spec["triggers"]
    assert trigger["type"] == "prometheus"
    metric = re.fullmatch(r"max\((\w+)\)", trigger["metadata"]["query"])
    assert metric is not None
    # the gauge the gateway exports
    assert f'"{metric.group(1)}"' in (ROOT / "api" / "metrics" / "__init__.py").read_text()
    assert int(trigger["metadata"]["threshold"]) == DEFAULTS.autoscale_tasks_per_replica

"""The production stack file read as compose reads it, and its services as ``docker run`` commands on host networking.

``make test-containers`` (``tests/containers``) runs the images with exactly what ``docker-compose.prod.yml`` gives
each service — command, user, environment, model-volume mounts read-only or read-write, read-only root, temporary
mounts, health check — so the tested topology cannot drift from the deployed one. Only what host networking needs
differs, and the caller says what: addresses (Redis, MongoDB, ports on loopback) replace the values of variables the
service already has, and every container listens on loopback. Swarm-only keys (``deploy:``) and networks stay out.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from devstack import ROOT

STACK_FILE = ROOT / "docker-compose.prod.yml"

_VARIABLE = re.compile(r"\$\$|\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}")
# Keys of a service this module turns into `docker run` options, or knowingly leaves out: anything else in the stack
# file is refused, so a new key is translated here (or named as ignored) rather than silently dropped.
IGNORED_KEYS = frozenset({"deploy", "networks", "ports", "depends_on"})
TRANSLATED_KEYS = frozenset(
    {"image", "command", "user", "environment", "volumes", "read_only", "tmpfs", "healthcheck", "logging"}
)


def interpolate(text: str, variables: Mapping[str, str]) -> str:
    """Fill ``${VAR}``, ``${VAR:-default}`` and ``${VAR:?message}`` as compose and `docker stack` do."""

    def fill(match: re.Match[str]) -> str:
        if match.group(0) == "$$":
            return "$"
        name, op, arg = match.group("name", "op", "arg")
        value = variables.get(name)
        if op and op.endswith("?") and not value:
            raise KeyError(f"{name}: {arg}")
        if op and op.endswith("-") and not value:
            return arg
        return value or ""

    return _VARIABLE.sub(fill, text)


def _interpolate_tree(node: Any, variables: Mapping[str, str]) -> Any:
    if isinstance(node, dict):
        return {key: _interpolate_tree(value, variables) for key, value in node.items()}
    if isinstance(node, list):
        return [_interpolate_tree(value, variables) for value in node]
    if isinstance(node, str):
        return interpolate(node, variables)
    return node


def load_yaml(path: Path) -> Any:
    """Return a YAML file as plain data, anchors and merge keys resolved."""
    return YAML(typ="safe", pure=True).load(path.read_text())


def read(variables: Mapping[str, str], path: Path = STACK_FILE) -> dict[str, Any]:
    """Return the stack file with its variables filled from ``variables``."""
    return dict(_interpolate_tree(load_yaml(path), variables))


def _duration_s(value: str) -> float:
    """Return the seconds of a compose duration such as ``1m30s``, ``15s`` or ``500ms``."""
    units = {"h": 3600.0, "m": 60.0, "s": 1.0, "ms": 0.001, "us": 1e-6}
    parts = re.findall(r"(\d+(?:\.\d+)?)(ms|us|h|m|s)", value)
    if not parts or "".join(number + unit for number, unit in parts) != value:
        raise ValueError(f"not a compose duration: {value!r}")
    return sum(float(number) * units[unit] for number, unit in parts)


def _healthcheck_options(check: Mapping[str, Any], interval_s: float | None) -> list[str]:
    if check.get("disable"):
        return ["--no-healthcheck"]
    test = check["test"]
    if test[0] == "CMD":
        # `docker run` takes the command as one string for the shell: the exec form's words, quoted, say the same.
        command = shlex.join(test[1:])
    elif test[0] == "CMD-SHELL":
        (command,) = test[1:]
    else:
        raise ValueError(f"healthcheck test must start with CMD or CMD-SHELL: {test!r}")
    options = ["--health-cmd", command]
    interval = f"{interval_s:g}s" if interval_s is not None else check.get("interval")
    for key, option in (("timeout", "--health-timeout"), ("start_period", "--health-start-period")):
        if key in check:
            options += [option, f"{_duration_s(check[key]):g}s"]
    if interval is not None:
        options += ["--health-interval", f"{_duration_s(interval):g}s"]
    if "retries" in check:
        options += ["--health-retries", str(check["retries"])]
    return options


def _mount_options(volumes: list[Any], volume_names: Mapping[str, str]) -> list[str]:
    options: list[str] = []
    for volume in volumes:
        if not isinstance(volume, dict):
            raise ValueError(f"volumes must use the long syntax: {volume!r}")
        if volume["type"] == "volume":
            spec = f"type=volume,src={volume_names[volume['source']]},dst={volume['target']}"
            if volume.get("read_only"):
                spec += ",readonly"
        elif volume["type"] == "tmpfs":
            spec = f"type=tmpfs,dst={volume['target']}"
        else:
            raise ValueError(f"only named volumes and tmpfs are translated: {volume!r}")
        options += ["--mount", spec]
    return options


def _refuse_service_addresses(service_name: str, environment: Mapping[str, str], services: Mapping[str, Any]) -> None:
    """Stop when a variable still names another service's address: on host networking no such name resolves, and
    the container would only fail at its first use of it (a sweep minutes later), not at start."""
    for key, value in environment.items():
        for other in services:
            if re.search(rf"[@/]{re.escape(other)}:\d", value):
                raise ValueError(f"{service_name}: {key} names the stack's {other!r}; give it a replace_env value")


def docker_run(
    service_name: str,
    stack: Mapping[str, Any],
    *,
    container: str,
    volume_names: Mapping[str, str],
    replace_env: Mapping[str, str] | None = None,
    loopback_env: Mapping[str, str] | None = None,
    labels: Mapping[str, str] | None = None,
    health_interval_s: float | None = None,
) -> list[str]:
    """Return the ``docker run`` argv (after ``docker``) of one service of ``stack`` on host networking.

    ``container`` names the container and is its hostname (Swarm gives each task a hostname of its own, which the
    workers' node names and health checks use). ``volume_names`` maps the stack's volume names to the volumes to
    mount. ``replace_env`` gives new values to variables the service already has (an address that is a service name
    in the stack is a loopback port here), never adding one it lacks; ``loopback_env`` is added to every container
    so it listens on loopback. ``health_interval_s`` replaces the checks' interval so a test need not wait minutes;
    the check itself, its timeout, start period and retries stay the stack's.
    """
    service = stack["services"][service_name]
    unknown = set(service) - TRANSLATED_KEYS - IGNORED_KEYS
    if unknown:
        raise ValueError(f"{service_name}: keys not translated to docker run: {sorted(unknown)}")
    argv = ["run", "--detach", "--name", container, "--hostname", container, "--network", "host"]
    for key, value in (labels or {}).items():
        argv += ["--label", f"{key}={value}"]
    if "user" in service:
        argv += ["--user", str(service["user"])]
    if service.get("read_only"):
        argv.append("--read-only")
    for target in service.get("tmpfs", []):
        argv += ["--tmpfs", target]
    argv += _mount_options(service.get("volumes", []), volume_names)
    environment = {key: str(value) for key, value in service.get("environment", {}).items()}
    environment.update({key: value for key, value in (replace_env or {}).items() if key in environment})
    environment.update(loopback_env or {})
    _refuse_service_addresses(service_name, environment, stack["services"])
    for key, value in environment.items():
        argv += ["--env", f"{key}={value}"]
    if "healthcheck" in service:
        argv += _healthcheck_options(service["healthcheck"], health_interval_s)
    if "logging" in service:
        argv += ["--log-driver", service["logging"]["driver"]]
        for key, value in service["logging"].get("options", {}).items():
            argv += ["--log-opt", f"{key}={value}"]
    argv.append(service["image"])
    argv += [str(word) for word in service.get("command", [])]
    return argv

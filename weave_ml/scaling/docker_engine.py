"""The few Docker Engine API calls the scaler makes, as plain HTTP (no SDK needed): over the engine's unix socket, or
over TCP to the project's socket proxy (weave_ml.scaling.socket_proxy), which lets only these calls through.

A Swarm service is scaled by reading its spec and posting it back with another replica count and the version it was
read at: the engine refuses an update made on a spec that changed in between (``update out of sequence``). Only a
service labelled ``weave-ml.autoscale=true`` is a scaling target (:func:`scalable`).

Standard library only: the socket proxy, which imports this module, runs without the project's dependencies.
"""

from __future__ import annotations

import http.client
import json
import socket
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

# Engine API 1.43 (Docker 24): the oldest engine the stack is deployed on; newer engines serve it too.
API_VERSION = "v1.43"
# The label that marks a service as scoring workers the scaler may size: set on ml-worker in docker-compose.prod.yml.
SCALABLE_LABEL = "weave-ml.autoscale"


class DockerError(RuntimeError):
    """The engine is unreachable or refused a call; the message is the engine's (or the proxy's) own."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class _UnixConnection(http.client.HTTPConnection):
    def __init__(self, socket_path: str, timeout: float) -> None:
        super().__init__("localhost", timeout=timeout)
        self.socket_path = socket_path

    def connect(self) -> None:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(self.timeout)
        try:
            sock.connect(self.socket_path)
        except OSError:
            sock.close()
            raise
        self.sock = sock


@dataclass(frozen=True)
class Answer:
    """An HTTP answer as it came: status, content type, body."""

    status: int
    content_type: str
    body: bytes

    def json(self) -> Any:
        """The body as JSON data; text that is not JSON as a string; None when empty."""
        if not self.body:
            return None
        try:
            return json.loads(self.body)
        except ValueError:
            return self.body.decode(errors="replace")


def connection_to(url: str, timeout_s: float) -> http.client.HTTPConnection:
    """Return an unopened connection to ``unix:///path/to/docker.sock`` or ``http://host:port``."""
    parts = urlsplit(url)
    if parts.scheme == "unix" and parts.path:
        return _UnixConnection(parts.path, timeout_s)
    if parts.scheme == "http" and parts.hostname:
        return http.client.HTTPConnection(parts.hostname, parts.port or 80, timeout=timeout_s)
    raise ValueError(f"not a Docker Engine address: {url!r} (expected unix:///path or http://host:port)")


def exchange(url: str, method: str, path: str, body: bytes | None = None, timeout_s: float = 10.0) -> Answer:
    """Send one request to the engine (or proxy) at ``url`` and return its answer; OSError when it is unreachable."""
    connection = connection_to(url, timeout_s)
    headers = {"Content-Type": "application/json"} if body is not None else {}
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return Answer(response.status, response.getheader("Content-Type") or "application/json", response.read())
    finally:
        connection.close()


def scalable(service: dict[str, Any]) -> bool:
    """Whether a service (as the engine describes it) is labelled as scoring workers the scaler may size."""
    labels = (service.get("Spec") or {}).get("Labels") or {}
    return isinstance(labels, dict) and labels.get(SCALABLE_LABEL) == "true"


class DockerEngine:
    """Swarm services of the engine at ``url``: ``unix:///var/run/docker.sock``, or the socket proxy's
    ``http://host:port``."""

    def __init__(self, url: str, timeout_s: float = 10.0) -> None:
        connection_to(url, timeout_s)  # refuses an address it cannot use now, not at the first call
        self.url = url
        self.timeout_s = timeout_s

    def _call(self, method: str, path: str, body: Any = None) -> Any:
        payload = None if body is None else json.dumps(body).encode()
        try:
            answer = exchange(self.url, method, f"/{API_VERSION}{path}", payload, self.timeout_s)
        except OSError as exc:
            raise DockerError(f"Docker engine at {self.url} unreachable: {exc}") from None
        data = answer.json()
        if answer.status >= 400:
            message = data.get("message") if isinstance(data, dict) else data
            raise DockerError(f"Docker engine: {method} {path}: {answer.status} {message}", answer.status)
        return data

    def service(self, name: str) -> dict[str, Any]:
        """Return a service as the engine describes it (ID, Version, Spec …)."""
        service: dict[str, Any] = self._call("GET", f"/services/{quote(name, safe='')}")
        return service

    def scalable_services(self) -> list[str]:
        """Return the names of the services labelled ``weave-ml.autoscale=true``."""
        filters = quote(json.dumps({"label": [f"{SCALABLE_LABEL}=true"]}), safe="")
        services = self._call("GET", f"/services?filters={filters}") or []
        return sorted(str((service.get("Spec") or {}).get("Name", "?")) for service in services)

    def replicas(self, name: str) -> int:
        """Return the replica count a replicated service is set to."""
        return replicas_of(self.service(name))

    def scale(self, name: str, replicas: int) -> dict[str, Any]:
        """Set a replicated service's replica count; every other part of its spec is posted back unchanged."""
        return self.set_replicas(self.service(name), replicas)

    def set_replicas(self, service: dict[str, Any], replicas: int) -> dict[str, Any]:
        """Post back ``service``'s spec as it was read, with another replica count, at the version it was read at."""
        replicas_of(service)  # refuses a global service before anything is posted
        spec = json.loads(json.dumps(service["Spec"]))
        spec["Mode"]["Replicated"]["Replicas"] = replicas
        version = service["Version"]["Index"]
        answer: dict[str, Any] = self._call(
            "POST", f"/services/{quote(service['ID'], safe='')}/update?version={version}", spec
        )
        return answer or {}


def replicas_of(service: dict[str, Any]) -> int:
    """Return a service's replica count, refusing one that is not replicated."""
    try:
        return int(service["Spec"]["Mode"]["Replicated"]["Replicas"])
    except (KeyError, TypeError, ValueError):
        name = (service.get("Spec") or {}).get("Name", "?")
        raise DockerError(f"service {name} is not a replicated service: it cannot be scaled") from None

"""The few Docker Engine API calls the scaler makes, as plain HTTP over the engine's unix socket (no SDK needed).

A Swarm service is scaled by reading its spec and posting it back with another replica count and the version it was
read at: the engine refuses an update made on a spec that changed in between (``update out of sequence``).
"""

from __future__ import annotations

import http.client
import json
import socket
from typing import Any
from urllib.parse import quote

# Engine API 1.43 (Docker 24): the oldest engine the stack is deployed on; newer engines serve it too.
API_VERSION = "v1.43"


class DockerError(RuntimeError):
    """The engine is unreachable or refused a call; the message is the engine's own."""

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


class DockerEngine:
    """Swarm services of the engine behind ``socket_path`` (``/var/run/docker.sock``)."""

    def __init__(self, socket_path: str, timeout_s: float = 10.0) -> None:
        self.socket_path = socket_path
        self.timeout_s = timeout_s

    def _call(self, method: str, path: str, body: Any = None) -> Any:
        connection = _UnixConnection(self.socket_path, self.timeout_s)
        payload = None if body is None else json.dumps(body).encode()
        headers = {"Content-Type": "application/json"} if payload is not None else {}
        try:
            connection.request(method, f"/{API_VERSION}{path}", body=payload, headers=headers)
            response = connection.getresponse()
            raw = response.read()
        except OSError as exc:
            raise DockerError(f"Docker engine at {self.socket_path} unreachable: {exc}") from None
        finally:
            connection.close()
        try:
            answer = json.loads(raw) if raw else None
        except ValueError:
            answer = raw.decode(errors="replace")
        if response.status >= 400:
            message = answer.get("message") if isinstance(answer, dict) else answer
            raise DockerError(f"Docker engine: {method} {path}: {response.status} {message}", response.status)
        return answer

    def service(self, name: str) -> dict[str, Any]:
        """Return a service as the engine describes it (ID, Version, Spec …)."""
        service: dict[str, Any] = self._call("GET", f"/services/{quote(name, safe='')}")
        return service

    def replicas(self, name: str) -> int:
        """Return the replica count a replicated service is set to."""
        return replicas_of(self.service(name))

    def scale(self, name: str, replicas: int) -> dict[str, Any]:
        """Set a replicated service's replica count; every other part of its spec is posted back unchanged."""
        service = self.service(name)
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

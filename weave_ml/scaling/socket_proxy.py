"""``python -m weave_ml.scaling.socket_proxy``: the only way the scaler reaches the Docker engine, and all it may do.

Whoever holds the engine's socket is root on the host; a service update alone can swap a service's image or mount the
host's disk. So the socket is mounted into this small proxy only, and the scaler talks HTTP to the proxy, which
answers:

- ``GET /_ping``, ``GET /version``: passed through (health checks);
- ``GET /services``: the services labelled ``weave-ml.autoscale=true`` only, whatever filter was asked for;
- ``GET /services/<id or name>``: a labelled service only (another's spec holds its secrets in its environment);
- ``POST /services/<id>/update?version=N``: a labelled, replicated service only, with a spec equal to its current one
  (read by the proxy at version N) but for ``Mode.Replicated.Replicas``: a change of replica count and nothing else;

each with or without an API version prefix (``/v1.43``), and 403 with a JSON message to anything else. The engine's
own version check makes the comparison safe: the engine refuses an update whose version is not the one the proxy read.

Standard library only, so it runs in any image with Python 3.11 and needs none of the project's dependencies or
settings. Options: ``--listen HOST:PORT`` (default ``0.0.0.0:2375``), ``--engine`` (default
``unix:///var/run/docker.sock``).
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import signal
import sys
from collections.abc import Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

from weave_ml.scaling.docker_engine import SCALABLE_LABEL, Answer, exchange, scalable

log = logging.getLogger("weave_ml.socket_proxy")

# A path this proxy knows: an optional API version, then one of the allowed endpoints. Service ids and names are
# plain (letters, digits, ``_.-``): nothing percent-encoded, no ``..``, no other path that would reach the engine.
_PATH = re.compile(
    r"(?P<api>/v1\.\d{1,3})?(?:(?P<ping>/_ping)|(?P<version>/version)|(?P<list>/services)"
    r"|/services/(?P<service>[A-Za-z0-9][A-Za-z0-9_.-]{0,254})(?P<update>/update)?)"
)
MAX_SPEC_BYTES = 1 << 20  # a service spec is a few kilobytes
LABEL_FILTER = quote(json.dumps({"label": [f"{SCALABLE_LABEL}=true"]}), safe="")


class Refused(Exception):
    """A request this proxy does not pass on; the message says why."""


def _json(status: int, data: Any) -> Answer:
    return Answer(status, "application/json", json.dumps(data).encode())


def _refused(message: str) -> Answer:
    return _json(403, {"message": f"refused by the socket proxy: {message}"})


def _without_replicas(spec: Any) -> Any:
    """A service spec with its replica count taken out, for comparing two specs on everything else."""
    copy = json.loads(json.dumps(spec))
    copy["Mode"]["Replicated"].pop("Replicas", None)
    return copy


class Proxy:
    """Decides and forwards requests to the engine at ``engine`` (``unix:///…`` or ``http://…``)."""

    def __init__(self, engine: str, timeout_s: float = 10.0) -> None:
        self.engine = engine
        self.timeout_s = timeout_s

    def answer(self, method: str, target: str, body: bytes | None) -> Answer:
        """Return the answer to one request: the engine's, for an allowed one; a 403 that says why, for another."""
        parts = urlsplit(target)
        found = _PATH.fullmatch(parts.path)
        if found is None:
            return _refused(f"{method} {parts.path} is not an endpoint the scaler needs")
        api = found["api"] or ""
        try:
            if found["ping"] or found["version"]:
                self._only(method, "GET")
                return self._forward("GET", parts.path)
            if found["list"]:
                self._only(method, "GET")
                return self._forward("GET", f"{api}/services?filters={LABEL_FILTER}")
            if not found["update"]:
                self._only(method, "GET")
                return self._read_scalable(api, found["service"])[0]
            self._only(method, "POST")
            return self._update(api, found["service"], parse_qs(parts.query), body)
        except Refused as exc:
            return _refused(str(exc))

    @staticmethod
    def _only(method: str, allowed: str) -> None:
        if method != allowed:
            raise Refused(f"{method} is not allowed here, only {allowed}")

    def _forward(self, method: str, path: str, body: bytes | None = None) -> Answer:
        try:
            return exchange(self.engine, method, path, body, self.timeout_s)
        except OSError as exc:
            return _json(502, {"message": f"Docker engine unreachable from the socket proxy: {exc}"})

    def _read_scalable(self, api: str, service: str) -> tuple[Answer, dict[str, Any] | None]:
        """Read a service from the engine: its answer and the service if it is labelled; a refusal otherwise."""
        answer = self._forward("GET", f"{api}/services/{service}")
        if answer.status != 200:
            return answer, None  # the engine's own answer (404 not found …) says nothing of another service
        described = answer.json()
        if not isinstance(described, dict) or not scalable(described):
            raise Refused(f"service {service} is not labelled {SCALABLE_LABEL}=true")
        return answer, described

    def _update(self, api: str, service: str, query: dict[str, list[str]], body: bytes | None) -> Answer:
        if set(query) != {"version"} or len(query["version"]) != 1 or not query["version"][0].isdigit():
            raise Refused("an update takes exactly one parameter, version=<the version the spec was read at>")
        if body is None:
            raise Refused("an update needs the service's spec as its body")
        try:
            posted = json.loads(body)
        except ValueError:
            raise Refused("the body is not JSON") from None
        answer, current = self._read_scalable(api, service)
        if current is None:
            return answer
        if not isinstance((current["Spec"].get("Mode") or {}).get("Replicated"), dict):
            raise Refused(f"service {service} is not a replicated service: it has no replica count to change")
        if str(current["Version"]["Index"]) != query["version"][0]:
            # The engine would refuse it too; the proxy compared the posted spec with the version it read, no other.
            return _json(409, {"message": f"update out of sequence: the service is at version {current['Version']}"})
        try:
            replicas = posted["Mode"]["Replicated"]["Replicas"]
            same = _without_replicas(posted) == _without_replicas(current["Spec"])
        except (KeyError, TypeError, AttributeError):
            raise Refused("the body is not a replicated service's spec") from None
        if not same:
            raise Refused("the spec differs from the service's in more than its replica count")
        if isinstance(replicas, bool) or not isinstance(replicas, int) or replicas < 0:
            raise Refused("the replica count must be a whole number of 0 or more")
        # The id the engine gave, not the name asked for: the update goes to the service just compared.
        path = f"{api}/services/{current['ID']}/update?version={query['version'][0]}"
        return self._forward("POST", path, body)


class _Handler(BaseHTTPRequestHandler):
    server: ProxyServer
    protocol_version = "HTTP/1.1"
    timeout = 30  # a client that stops sending mid-request does not hold a thread for ever

    def _serve(self) -> None:
        length = self.headers.get("Content-Length") or "0"
        if self.headers.get("Transfer-Encoding") or not length.isdigit():
            answer = _json(411, {"message": "a body needs a Content-Length (no chunked encoding)"})
        elif int(length) > MAX_SPEC_BYTES:
            answer = _json(413, {"message": f"a spec is at most {MAX_SPEC_BYTES} bytes"})
        else:
            body = self.rfile.read(int(length)) if int(length) else None
            answer = self.server.proxy.answer(self.command, self.path, body)
        log.info("%s %s -> %s", self.command, urlsplit(self.path).path, answer.status)
        if answer.status in (411, 413):
            self.close_connection = True  # the body, unread, would be taken for the next request
        self._send(answer)

    def _send(self, answer: Answer) -> None:
        self.send_response(answer.status)
        self.send_header("Content-Type", answer.content_type)
        self.send_header("Content-Length", str(len(answer.body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(answer.body)

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = _serve

    def log_message(self, format: str, *args: Any) -> None:
        pass  # one line per request is logged by _serve, without the query


class ProxyServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], proxy: Proxy) -> None:
        self.proxy = proxy
        super().__init__(address, _Handler)


def main(argv: Sequence[str] | None = None) -> int:
    """Serve the proxy until stopped."""
    parser = argparse.ArgumentParser(prog="python -m weave_ml.scaling.socket_proxy", description=__doc__.split("\n")[0])
    parser.add_argument("--listen", default="0.0.0.0:2375", help="HOST:PORT to listen on (default: 0.0.0.0:2375)")
    parser.add_argument("--engine", default="unix:///var/run/docker.sock", help="the engine's address")
    args = parser.parse_args(argv)
    host, _, port = args.listen.rpartition(":")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    server = ProxyServer((host or "0.0.0.0", int(port)), Proxy(args.engine))
    # As a container's PID 1 a process gets no default action for SIGTERM: without a handler `docker stop` would wait
    # its whole grace period, then kill.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))
    log.info("socket proxy on %s for the engine at %s", args.listen, args.engine)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())

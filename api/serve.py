"""The gateway's server, the Procfile's ``api`` line: granian's WSGI mode, processes of threads, shared metrics.

granian (its HTTP/1.1 server is Rust; Python runs only the Flask app) spent a third of gunicorn's gthread CPU per
request on the same app (docs/performance.md). Each process answers on ``GATEWAY_THREADS`` threads: requests
mostly wait on Redis. ``GRANIAN_HOST`` sets the address (loopback in the container tests); granian's options not
set here can be set by its own ``GRANIAN_*`` variables.

Each process counts its metrics into files in ``PROMETHEUS_MULTIPROC_DIR`` and ``/metrics`` sums them, so a scrape
sees every process, not only the one that answered. The folder is set here, before any worker process exists, and
emptied of an earlier gateway's files; without the variable a private folder is made and removed on exit.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from granian.cli import cli

from weave_ml import keys, lifetime
from weave_ml.settings import ConfigError

TARGET = "api.wsgi:app"
# Set by main() for the server processes it forks: the pid their parent must have.
MAIN_PID_VARIABLE = "WEAVE_GATEWAY_MAIN_PID"


def options() -> list[str]:
    """Return granian's arguments, from the variables the gateway has always read."""
    return [
        "--interface",
        "wsgi",
        "--host",
        os.environ.get("GRANIAN_HOST", "0.0.0.0"),
        "--port",
        os.environ.get("API_PORT", "8000"),
        "--workers",
        os.environ.get("GATEWAY_PROCESSES", "2"),
        "--blocking-threads",
        os.environ.get("GATEWAY_THREADS", "32"),
        # A process that dies is started again, as a WSGI master would; one that will not stop is killed.
        "--respawn-failed-workers",
        "--workers-kill-timeout",
        "10",
        "--no-access-log",  # the gateway logs each answer itself, with its request id
        "--no-ws",
        TARGET,
    ]


def prepare_metrics_folder() -> str | None:
    """Point PROMETHEUS_MULTIPROC_DIR at an empty folder; return it when it is private (to remove at exit)."""
    private = None
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        private = os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="weave-metrics-")
    folder = Path(os.environ["PROMETHEUS_MULTIPROC_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob("*.db"):  # an earlier gateway's counts would add to ours
        stale.unlink()
    return private


WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def whole_bodies(wsgi_app: WsgiApp) -> WsgiApp:
    """Hand the server each body as one list of bytes, not the iterator Flask returns.

    granian sends a list in one call; an iterator it walks chunk by chunk, back and forth between its Rust side and
    Python, which took 40% of a cached answer's CPU. Every body this gateway sends is small JSON or text.
    """

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        body = wsgi_app(environ, start_response)
        if isinstance(body, list):
            return body
        try:
            return [b"".join(body)]
        finally:
            close = getattr(body, "close", None)
            if close is not None:
                close()  # what a WSGI server must do once it has sent the body (Flask's teardown runs here)

    return app


def end_with_server() -> None:
    """In a server process: be killed by the kernel when the main process dies, however it dies.

    granian's processes do not watch their parent: with the main process SIGKILLed (or OOM-killed) they went on
    answering on the port. The signal is cleared at fork, so each process asks for it itself (api.wsgi, at load).
    """
    main_pid = os.environ.get(MAIN_PID_VARIABLE)
    arm = lifetime.die_with(int(main_pid)) if main_pid else None  # not under api.serve: a test importing the app
    if arm is not None:
        arm()


def check_configuration() -> None:
    """Stop here, naming the setting, when the app would refuse the configuration: granian starts a server process
    that fails to load again and again, and would never exit."""
    try:
        keys.current()  # the settings, and the secret every hash and sealed task body needs
    except ConfigError as exc:
        sys.exit(f"gateway not started: {exc}")


def main() -> None:
    check_configuration()
    private = prepare_metrics_folder()
    os.environ[MAIN_PID_VARIABLE] = str(os.getpid())
    try:
        # Not standalone: return here when the server stops, so the private folder is removed.
        cli.main(args=options(), prog_name="granian", standalone_mode=False, auto_envvar_prefix="GRANIAN")
    finally:
        if private:
            shutil.rmtree(private, ignore_errors=True)


if __name__ == "__main__":
    main()

"""Wait until a Celery worker answers, then run a command in this process: ``python -m workers.readiness -- CMD``.

Flower starts this way (Procfile), so it never comes up showing an empty cluster while the workers load.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Sequence

from celery import Celery
from kombu.exceptions import OperationalError

PING_TIMEOUT_S = 1.0


def wait_for_workers(app: Celery, timeout_s: float) -> list[str]:
    """Return the names of the workers that answered a ping, waiting up to ``timeout_s``; empty if none did."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            answers = app.control.ping(timeout=PING_TIMEOUT_S)
        except (OperationalError, OSError):  # the broker is not up yet either
            answers = []
            time.sleep(PING_TIMEOUT_S)
        if answers:
            return sorted({name for answer in answers for name in answer})
        if time.monotonic() >= deadline:
            return []


def main(argv: Sequence[str] | None = None) -> int:
    """Wait for a worker; exit 1 if none answers in time, else replace this process with the command, if any."""
    parser = argparse.ArgumentParser(prog="python -m workers.readiness", description=main.__doc__)
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds to wait (default: 60)")
    parser.add_argument("command", nargs=argparse.REMAINDER, help="-- COMMAND [ARG...] to run once a worker answers")
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    from workers.celery_app import app  # after parsing: --help needs no valid environment

    workers = wait_for_workers(app, args.timeout)
    if not workers:
        print(f"no Celery worker answered within {args.timeout:g} s", file=sys.stderr)
        return 1
    print(f"workers online: {', '.join(workers)}", file=sys.stderr, flush=True)
    if command:
        os.execvp(command[0], command)
    return 0


if __name__ == "__main__":
    sys.exit(main())

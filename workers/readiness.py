"""Wait until a Celery worker answers, then run a command in this process: ``python -m workers.readiness -- CMD``.

Flower starts this way (Procfile), so it does not come up showing an empty cluster while the workers load. The wait
rides out a broker that is down, or goes away meanwhile, and after ``--timeout`` the command starts anyway (Flower
lists workers as their events arrive): an outage never turns into a process that exits and is started again in a
loop.
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


def broker_errors(app: Celery) -> tuple[type[BaseException], ...]:
    """Return what a lost broker raises through Celery's remote control.

    kombu wraps a transport's errors in OperationalError, except those raised while it deletes a broadcast's reply
    queue (``kombu.pidbox.Mailbox._collect``): with Redis gone in the middle of a ping, ``redis.ConnectionError``
    comes through as it is. The transport lists its own connection and channel errors.
    """
    connection = app.connection_for_write()  # reads the transport's error classes, connects to nothing
    try:
        return (OperationalError, OSError, *connection.connection_errors, *connection.channel_errors)
    finally:
        connection.release()


def wait_for_workers(app: Celery, timeout_s: float) -> list[str]:
    """Return the names of the workers that answered a ping, waiting up to ``timeout_s``; empty if none did."""
    deadline = time.monotonic() + timeout_s
    lost_broker = broker_errors(app)
    while True:
        try:
            answers = app.control.ping(timeout=PING_TIMEOUT_S)
        except lost_broker:  # the broker is not up yet, or went away during the ping
            answers = []
            time.sleep(PING_TIMEOUT_S)
        if answers:
            return sorted({name for answer in answers for name in answer})
        if time.monotonic() >= deadline:
            return []


def main(argv: Sequence[str] | None = None) -> int:
    """Wait for a worker, then replace this process with the command; without a command, exit 1 if none answered."""
    parser = argparse.ArgumentParser(prog="python -m workers.readiness", description=main.__doc__)
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds to wait (default: 60)")
    parser.add_argument("command", nargs=argparse.REMAINDER, help="-- COMMAND [ARG...] to run once a worker answers")
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    from workers.celery_app import app  # after parsing: --help needs no valid environment

    workers = wait_for_workers(app, args.timeout)
    if workers:
        print(f"workers online: {', '.join(workers)}", file=sys.stderr, flush=True)
    else:
        print(f"no Celery worker answered within {args.timeout:g} s", file=sys.stderr, flush=True)
        if not command:
            return 1
        print("starting anyway: workers show up as they come online", file=sys.stderr, flush=True)
    if command:
        os.execvp(command[0], command)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Liveness of a worker without the broker: ``python -m workers.liveness NODE`` checks the file its process touches.

Each worker's main process touches a file named after its node (``scoring@host``) every few seconds, from a thread
of its own (see ``workers.runtime``); the check passes while that file is recent. Unlike ``celery inspect ping``
it asks nothing of Redis, so a broker outage does not make a live worker look dead to the orchestrator, which
would restart every worker in a loop until Redis came back. Readiness, dependencies included, is the gateway's
``/health``.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from pathlib import Path

TOUCH_INTERVAL_S = 5.0
# Several missed touches in a row: the process is gone or wedged, not merely busy.
STALE_AFTER_S = 30.0


def path_for(node: str) -> Path:
    """Return the file the worker named ``node`` touches."""
    return Path(tempfile.gettempdir()) / "weave-ml-liveness" / f"{node}.alive"


def keep_touching(node: str) -> Path:
    """Touch the node's file now and then every :data:`TOUCH_INTERVAL_S` from a daemon thread; return its path."""
    path = path_for(node)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch()

    def touch() -> None:
        while True:
            time.sleep(TOUCH_INTERVAL_S)
            # A full or cleaned-up temporary folder: the check reports the stale file, and this thread goes on.
            with contextlib.suppress(OSError):
                path.parent.mkdir(parents=True, exist_ok=True)
                path.touch()

    threading.Thread(target=touch, name="liveness", daemon=True).start()
    return path


def age_s(node: str) -> float | None:
    """Return how many seconds ago the node's file was touched, or None when there is none."""
    try:
        return time.time() - path_for(node).stat().st_mtime
    except FileNotFoundError:
        return None


def main(argv: Sequence[str] | None = None) -> int:
    """Exit 0 when the worker NODE touched its file within the last STALE_AFTER_S seconds, 1 otherwise."""
    parser = argparse.ArgumentParser(prog="python -m workers.liveness", description=main.__doc__)
    parser.add_argument("node", help="the worker's node name, e.g. scoring@$HOSTNAME")
    node = parser.parse_args(argv).node
    age = age_s(node)
    if age is None:
        print(f"{node}: no liveness file at {path_for(node)}", file=sys.stderr)
        return 1
    if age > STALE_AFTER_S:
        print(f"{node}: last sign of life {age:.0f} s ago (more than {STALE_AFTER_S:g} s)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

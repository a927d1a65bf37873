"""gunicorn settings of the gateway; each can be overridden by its environment variable."""

import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

bind = f"0.0.0.0:{os.environ.get('API_PORT', '8000')}"
worker_class = "gthread"
workers = int(os.environ.get("GATEWAY_PROCESSES", "2"))
# Requests mostly wait on Redis; threads let one process hold many of them.
threads = int(os.environ.get("GATEWAY_THREADS", "32"))
timeout = 30
graceful_timeout = 10
keepalive = 30
accesslog = None
# No control socket (gunicorn 25.1+, for `gunicornc`, unused here): by default it is made in $HOME/.gunicorn, which
# is the read-only code folder in the images (the app user's home is /app) and one path shared by every gateway
# of a user on one machine.
control_socket_disable = True

# Each process counts into files in this folder and /metrics sums them, so a scrape sees every process, not
# only the one that answered. Set here, in the master, before any worker process imports prometheus_client;
# without PROMETHEUS_MULTIPROC_DIR a private folder is made and removed on exit.
_private_metrics_dir = None if os.environ.get("PROMETHEUS_MULTIPROC_DIR") else tempfile.mkdtemp(prefix="weave-metrics-")
if _private_metrics_dir:
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = _private_metrics_dir


def on_starting(server: object) -> None:
    # Files left by an earlier gateway would add its counts to ours.
    folder = Path(os.environ["PROMETHEUS_MULTIPROC_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob("*.db"):
        stale.unlink()


def child_exit(server: object, worker: Any) -> None:
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def on_exit(server: object) -> None:
    if _private_metrics_dir:
        shutil.rmtree(_private_metrics_dir, ignore_errors=True)

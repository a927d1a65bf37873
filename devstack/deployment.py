"""One deployment of the stack as the integration tests, the benchmark and the soak build it: settings, processes."""

from __future__ import annotations

import itertools
import os
import secrets
from collections.abc import Mapping, Sequence
from pathlib import Path

from devstack.processes import CeleryWorker, Gateway, Process, RedisServer
from weave_ml.registry.store import Registry


class Deployment:
    """An isolated deployment: two databases of a Redis server, a model registry, a log folder, the processes started.

    ``settings`` are environment variables of the project's settings (``PREDICT_TIMEOUT_S``…) over the defaults;
    ``env`` may still be changed before the processes that should see the change are started.
    """

    def __init__(
        self,
        redis_server: RedisServer,
        root: Path,
        *,
        broker_db: int = 1,
        cache_db: int = 2,
        settings: Mapping[str, str] | None = None,
    ) -> None:
        self.root = root
        self.logs = root / "logs"
        self.logs.mkdir(parents=True, exist_ok=True)
        self.registry = Registry(root / "models")
        self.env: dict[str, str] = {
            **os.environ,
            "REDIS_URL": redis_server.url(broker_db),
            "CACHE_REDIS_URL": redis_server.url(cache_db),
            "ML_MODEL_DIR": str(self.registry.root),
            "WEAVE_API_KEY": secrets.token_urlsafe(18),
            # Tests set one for the whole session, so what they hash in-process matches what the stack hashes.
            "WEAVE_SECRET_KEYS": os.environ.get("WEAVE_SECRET_KEYS") or secrets.token_urlsafe(32),
            **(settings or {}),
        }
        self.processes: list[Process] = []
        self._workers = itertools.count(1)

    def worker(self, process: str = "worker", prefix: Sequence[str] = ()) -> CeleryWorker:
        """Start the Procfile's ``worker`` (scoring) or ``trainer`` process, named, under ``prefix`` (e.g. taskset)."""
        role = "training" if process == "trainer" else "scoring"
        worker = CeleryWorker(self.env, self.logs, name=f"{role}{next(self._workers)}", process=process, prefix=prefix)
        self.processes.append(worker)
        return worker

    def gateway(self, processes: int = 1, threads: int = 16, prefix: Sequence[str] = ()) -> Gateway:
        """Start the Procfile's ``api`` process on a free port (under ``prefix``, if any) and wait until it answers."""
        gateway = Gateway(self.env, self.logs, processes=processes, threads=threads, prefix=prefix)
        self.processes.append(gateway)
        return gateway

    def stop(self) -> None:
        """Stop every process started here, the last started first."""
        for process in reversed(self.processes):
            process.stop()

"""``python -m bench.soak [--duration S]``: mixed load on the real stack; errors and each process's memory growth.

Sync predicts (unique texts and cache hits), batch jobs polled to the end, and one model published half-way
so every worker reloads. Resident memory of the gateway's processes, the workers and Redis is read after a
warm-up and at the end. Scores and batch results expire after 30 s here, so Redis reaches a steady size
within the warm-up instead of growing with every unique text for the cache's week.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

from devstack.deployment import Deployment
from devstack.processes import Process, RedisServer
from weave_ml.training import corpus
from weave_ml.training.train import TrainedModel, publish, train_evaluated

TTL_S = 30
BATCH_SIZE = 1000
POOL_SIZE = 300


def rss_kib(pid: int) -> int:
    """Resident memory of one process, from /proc."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def with_children(process: Process) -> list[int]:
    children = Path(f"/proc/{process.pid}/task/{process.pid}/children")
    return [process.pid, *(int(p) for p in children.read_text().split())] if children.exists() else [process.pid]


@dataclass
class Tally:
    """What the load threads saw; shared by all of them."""

    requests: Counter = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    versions: Counter = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def count(self, kind: str, ok: bool, detail: str = "", version: str | None = None) -> None:
        with self.lock:
            self.requests[kind] += 1
            if not ok:
                self.errors.append(f"{kind}: {detail}"[:300])
            if version:
                self.versions[version] += 1


class Soak:
    """A private Redis, scoring workers and a two-process gateway, with what the load needs."""

    def __init__(self, workdir: Path, scoring_workers: int) -> None:
        self.redis = RedisServer(workdir / "redis")
        settings = {"PREDICT_TIMEOUT_S": "10", "CACHE_TTL_S": str(TTL_S), "RESULT_TTL_S": str(TTL_S)}
        self.deployment = Deployment(self.redis, workdir, settings=settings)
        try:
            self.registry = self.deployment.registry
            messages = corpus.generate(size=1500)
            self.trained: TrainedModel = train_evaluated(messages)
            publish(self.registry, self.trained)
            self.pool = [m.message for m in messages[:POOL_SIZE]]
            self.workers = [self.deployment.worker() for _ in range(scoring_workers)]
            for worker in self.workers:
                worker.wait_ready()
            self.gateway = self.deployment.gateway(processes=2, threads=32)
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        self.deployment.stop()
        self.redis.stop()

    def memory(self) -> dict[str, int]:
        """RSS in KiB of every process of the stack, by role."""
        found = {f"gateway[{i}]": rss_kib(pid) for i, pid in enumerate(with_children(self.gateway))}
        for worker in self.workers:
            found |= {f"{worker.name}[{i}]": rss_kib(pid) for i, pid in enumerate(with_children(worker))}
        found["redis"] = rss_kib(self.redis.pid)
        return found

    def redis_data(self) -> dict[str, int]:
        """What Redis holds, as opposed to what its process has taken from the system."""
        client = self.redis.client()
        info = client.info("memory")
        keys = sum(db.get("keys", 0) for db in client.info("keyspace").values())
        return {
            "used_memory_kib": info["used_memory"] // 1024,
            "keys": keys,
            "fragmentation": info["mem_fragmentation_ratio"],
        }

    def predicts(self, stop: threading.Event, tally: Tally, unique: bool) -> None:
        session, url, n = requests.Session(), f"{self.gateway.url}/predict", 0
        while not stop.is_set():
            n += 1
            text = self.pool[n % len(self.pool)] + (f" #{uuid.uuid4().hex[:10]}" if unique else "")
            kind = "predict_unique" if unique else "predict_cached"
            try:
                answer = session.post(url, json={"message": text}, timeout=30)
                ok = answer.status_code == 200
                tally.count(kind, ok, answer.text, answer.json().get("model_version") if ok else None)
            except requests.RequestException as exc:
                tally.count(kind, False, repr(exc))

    def batches(self, stop: threading.Event, tally: Tally) -> None:
        session = requests.Session()
        while not stop.is_set():
            items = [
                {"id": str(i), "message": self.pool[i % len(self.pool)] + (f" {uuid.uuid4().hex}" if i % 2 else "")}
                for i in range(BATCH_SIZE)
            ]
            try:
                created = session.post(f"{self.gateway.url}/predict/batch", json={"messages": items}, timeout=60)
                if created.status_code != 202:
                    tally.count("batch", False, created.text)
                    continue
                status_url = self.gateway.url + created.json()["status_url"]
                deadline = time.monotonic() + 60
                while (status := session.get(status_url, timeout=60).json())["status"] in ("queued", "running"):
                    if time.monotonic() > deadline:
                        break
                    time.sleep(0.2)
                ok = status["status"] == "done" and status["done"] == BATCH_SIZE and status["failed"] == 0
                tally.count("batch", ok, json.dumps({k: status[k] for k in ("status", "done", "failed")}))
            except requests.RequestException as exc:
                tally.count("batch", False, repr(exc))


def growth(before: dict[str, int], after: dict[str, int]) -> dict[str, float]:
    return {name: round(100 * (after[name] - before[name]) / before[name], 1) for name in before if name in after}


def run(duration_s: float, scoring_workers: int = 2, threads: int = 4) -> dict[str, Any]:
    """Drive the load for ``duration_s`` and return the counts, errors and memory figures."""
    workdir = Path(tempfile.mkdtemp(prefix="weave-soak-"))
    soak = Soak(workdir, scoring_workers)
    tally, stop = Tally(), threading.Event()
    loaders = [threading.Thread(target=soak.predicts, args=(stop, tally, i % 2 == 0)) for i in range(threads)]
    loaders.append(threading.Thread(target=soak.batches, args=(stop, tally)))
    warm_up_s = max(5.0, duration_s * 0.2)
    try:
        started = time.monotonic()
        for thread in loaders:
            thread.start()
        time.sleep(warm_up_s)
        after_warm_up, data_after_warm_up = soak.memory(), soak.redis_data()
        time.sleep(max(0.0, duration_s / 2 - (time.monotonic() - started)))
        published = publish(soak.registry, soak.trained)  # the same model as a new version: every worker reloads
        time.sleep(max(0.0, duration_s - (time.monotonic() - started)))
        at_end, data_at_end = soak.memory(), soak.redis_data()
        stop.set()
        for thread in loaders:
            thread.join()
        elapsed = time.monotonic() - started
    finally:
        stop.set()
        soak.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    return {
        "duration_s": round(elapsed, 1),
        "warm_up_s": warm_up_s,
        "requests": dict(tally.requests),
        "requests_per_s": round(sum(tally.requests.values()) / elapsed, 1),
        "errors": len(tally.errors),
        "error_samples": tally.errors[:5],
        "published_version": published,
        "answers_by_version": dict(tally.versions),
        "rss_kib_after_warm_up": after_warm_up,
        "rss_kib_at_end": at_end,
        "rss_growth_pct": growth(after_warm_up, at_end),
        "redis_data_after_warm_up": data_after_warm_up,
        "redis_data_at_end": data_at_end,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=float, default=300.0, help="seconds of load (default: 300)")
    parser.add_argument("--scoring-workers", type=int, default=2, help="Celery scoring workers (default: 2)")
    parser.add_argument("--threads", type=int, default=4, help="threads sending /predict (default: 4)")
    parser.add_argument("--max-growth", type=float, default=10.0, help="allowed RSS growth in %% (default: 10)")
    parser.add_argument("--output", type=Path, help="also write the figures to this JSON file")
    args = parser.parse_args(argv)
    result = run(args.duration, args.scoring_workers, args.threads)
    text = json.dumps(result, indent=2)
    print(text)
    if args.output:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(text + "\n")
    grown = {name: pct for name, pct in result["rss_growth_pct"].items() if pct >= args.max_growth}
    if result["errors"] or grown or result["answers_by_version"].get(result["published_version"], 0) == 0:
        problems = f"{result['errors']} errors, grown beyond {args.max_growth:g}%: {grown or 'none'}"
        print(f"FAILED: {problems}", file=sys.stderr)
        return 1
    print(f"OK: no errors, no process grew by {args.max_growth:g}% or more after warm-up", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""``make bench``: weave-ml against the two in-process designs a user would pick instead, in one run.

Three servers run side by side, each with the same model, the same fast scorer and the same unique Korean
messages from the same load generator (wrk):

- weave-ml, started from the Procfile lines: the gateway with 2 granian processes, 2 solo scoring workers;
- ``flask``: the model in-process in Flask under gunicorn (gthread, 2 processes of 32 threads; bench/baseline_app.py);
- ``fastapi``: the seed's design, the model in-process in FastAPI under uvicorn, 2 workers (bench/fastapi_app.py).

The machine is shared and noisy, so a single run in a fixed order lets background load pick the winner. Each
scenario runs in rounds whose order alternates (A B C, then C B A, ...), each ratio is taken within one round
against the faster of the two in-process servers, and the table gives the median ratio and its spread.
Batch throughput is compared with raw vectorised scoring in 2 processes, and the scale-out scenario runs
``/predict/batch`` with 1 and then 2 scoring workers, each pinned to a core of its own (taskset).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import multiprocessing
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

from bench import campaign_probe, retrain_reports
from devstack.deployment import Deployment
from devstack.processes import BIN, ROOT, CeleryWorker, MongoServer, Process, RedisServer, free_port, wait_until
from weave_ml.registry.store import Registry
from weave_ml.training import corpus
from weave_ml.training.train import publish, train_evaluated

RESULTS = ROOT / "bench" / "results"
LOAD_SCRIPT = ROOT / "bench" / "load.lua"
WEAVE, FLASK, FASTAPI = "weave-ml", "flask", "fastapi"
PEERS = (FLASK, FASTAPI)
RAW = "raw 2 processes"
WRK_MISSING = (
    "make bench needs wrk, the HTTP load generator: install it with `apt-get install wrk` (Debian, Ubuntu) "
    "or `brew install wrk` (macOS), then run make bench again"
)


@dataclass(frozen=True)
class Profile:
    """How long and how big each scenario is."""

    duration_s: int
    rounds: int
    corpus_size: int
    batch_messages: int
    scale_messages: int
    retrain_messages: int
    # Reports in the MongoDB window of the retrain_1m_reports scenario; the smoke run reads them without training.
    retrain_reports: int
    retrain_reports_train: bool
    pool_size: int
    # Serve the default model (seed corpus and everyday text), as production does; else one fitted on the messages.
    default_model: bool


FULL = Profile(
    duration_s=12,
    rounds=2,
    corpus_size=8000,
    batch_messages=100_000,
    scale_messages=40_000,
    retrain_messages=100_000,
    retrain_reports=1_000_000,
    retrain_reports_train=True,
    pool_size=2000,
    default_model=True,
)
SMOKE = Profile(
    duration_s=1,
    rounds=2,
    corpus_size=1200,
    batch_messages=2_000,
    scale_messages=1_000,
    retrain_messages=2_000,
    retrain_reports=2_000,
    retrain_reports_train=False,
    pool_size=200,
    default_model=False,
)
# The trainer's memory limit in docker-compose.prod.yml.
TRAINER_MEMORY_MIB = 4096


def machine() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    memory_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"{cpu}, {os.cpu_count()} cores, {memory_gib:.0f} GiB, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}"
    )


def tree_cpu_seconds(roots: Sequence[int]) -> float:
    """User + system CPU seconds of processes ``roots`` and every live descendant, read from /proc.

    On a shared machine the wall clock counts the neighbours' work too; the CPU a system's own processes spent
    does not, so CPU per answer is the steadier figure beside requests/s.
    """
    ticks = os.sysconf("SC_CLK_TCK")
    seen: set[int] = set()
    waiting = list(roots)
    total = 0
    while waiting:
        pid = waiting.pop()
        if pid in seen:
            continue
        seen.add(pid)
        try:
            # The fields after the command (which may hold spaces) start at state; utime and stime are 14th, 15th.
            fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
            total += int(fields[11]) + int(fields[12])
            for task in Path(f"/proc/{pid}/task").iterdir():
                waiting += [int(child) for child in (task / "children").read_text().split()]
        except (FileNotFoundError, ProcessLookupError):
            continue  # it exited meanwhile
    return total / ticks


def wrk(url: str, connections: int, duration_s: int, pool_file: Path, mode: str) -> dict[str, Any]:
    """Run wrk against ``url`` and return its summary (requests/s, p50/p99 in ms, errors)."""
    argv = [
        "wrk",
        f"-t{min(2, connections)}",
        f"-c{connections}",
        f"-d{duration_s}s",
        "--timeout",
        "10s",
        "-s",
        str(LOAD_SCRIPT),
        url,
        "--",
        str(pool_file),
        mode,
        uuid.uuid4().hex[:12],  # a run tag of its own: "unique" texts never repeat an earlier run's
    ]
    output = subprocess.run(argv, capture_output=True, text=True, check=True).stdout
    summary = json.loads(output.strip().splitlines()[-1])
    seconds = summary["duration_us"] / 1e6
    return {
        "requests_per_s": summary["requests"] / seconds,
        "p50_ms": summary["p50_us"] / 1000,
        "p99_ms": summary["p99_us"] / 1000,
        "errors": summary["non2xx"] + summary["socket_errors"],
        "requests": summary["requests"],
    }


def in_rounds(names: Sequence[str], rounds: int, measure: Callable[[str], float]) -> list[dict[str, float]]:
    """Measure every name once per round, the order reversed every other round (A B C, C B A, ...)."""
    results = []
    for index in range(rounds):
        order = list(names) if index % 2 == 0 else list(reversed(names))
        results.append({name: measure(name) for name in order})
    return results


def compare(
    name: str,
    metric: str,
    rounds: list[dict[str, float]],
    peers: Sequence[str],
    *,
    higher_is_better: bool,
    target: float,
    target_text: str,
) -> dict[str, Any]:
    """One table row: the median of each server's values, and the median and spread of the per-round ratios.

    A ratio is weave-ml's value over the best peer's of the same round (the faster one: more requests/s, or the
    lower latency). ``target`` bounds the median ratio: from below when higher is better, else from above.
    """
    best = max if higher_is_better else min
    ratios = [r[WEAVE] / best(r[p] for p in peers) for r in rounds]
    ratio = statistics.median(ratios)
    return {
        "name": name,
        "metric": metric,
        "weave": round(statistics.median(r[WEAVE] for r in rounds), 3),
        "peers": {p: round(statistics.median(r[p] for r in rounds), 3) for p in peers},
        "ratio": round(ratio, 3),
        "spread": [round(min(ratios), 3), round(max(ratios), 3)],
        "rounds": [{k: round(v, 3) for k, v in r.items()} for r in rounds],
        "target": target_text,
        "met": ratio >= target if higher_is_better else ratio <= target,
    }


def figure(
    name: str,
    metric: str,
    value: float,
    *,
    target_text: str = "report",
    met: bool = True,
    beside: dict[str, float] | None = None,
) -> dict[str, Any]:
    """A table row without rounds of a peer (a count, a time), with what it is read ``beside``, if anything."""
    return {
        "name": name,
        "metric": metric,
        "weave": round(value, 3),
        "peers": {k: round(v, 3) for k, v in (beside or {}).items()},
        "ratio": None,
        "spread": None,
        "rounds": [],
        "target": target_text,
        "met": met,
    }


# The model of one process of the raw comparison, loaded once by the pool's initializer.
_loaded: dict[str, Any] = {}


def _load_scorer(model_dir: str, secret_keys: str) -> None:
    # Hashes are keyed as the deployment keys them: a spawned process inherits nothing the bench set.
    os.environ["WEAVE_SECRET_KEYS"] = secret_keys
    _loaded["scorer"] = Registry(model_dir).load().scorer()


def _score(texts: list[str]) -> int:
    return len(_loaded["scorer"].score_many(texts))


class RawScoring:
    """The model's own vectorised scoring in ``processes`` processes, no server, no queue: the batch peer."""

    def __init__(self, model_dir: Path, secret_keys: str, processes: int = 2) -> None:
        self.processes = processes
        self.pool = ProcessPoolExecutor(
            processes,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_load_scorer,
            initargs=(str(model_dir), secret_keys),
        )
        # Each process loads the model before the clock runs.
        list(self.pool.map(_score, [["warm-up"]] * processes * 4))

    def rate(self, texts: list[str]) -> float:
        """Messages/s of scoring ``texts``, split evenly across the processes."""
        started = time.perf_counter()
        scored = sum(self.pool.map(_score, [texts[i :: self.processes] for i in range(self.processes)]))
        assert scored == len(texts)
        return len(texts) / (time.perf_counter() - started)

    def close(self) -> None:
        self.pool.shutdown()


class Bench:
    """The three servers and what they share."""

    def __init__(self, workdir: Path, profile: Profile, scoring_workers: int) -> None:
        self.workdir, self.profile = workdir, profile
        self.errors = 0  # failed or non-2xx requests of every server
        # Stopped also when start-up fails half-way.
        self.redis: RedisServer | None = None
        self.deployment: Deployment | None = None
        try:
            self._start(scoring_workers)
        except BaseException:
            self.stop()
            raise

    def _start(self, scoring_workers: int) -> None:
        workdir, profile = self.workdir, self.profile
        self.redis = RedisServer(workdir / "redis")
        self.deployment = Deployment(self.redis, workdir, settings={"PREDICT_TIMEOUT_S": "10"})
        self.registry, self.env = self.deployment.registry, self.deployment.env
        self.messages = corpus.generate(size=profile.corpus_size)
        training = corpus.default_training_data() if profile.default_model else self.messages
        print(f"training the benchmark model on {len(training)} messages…", flush=True)
        publish(self.registry, train_evaluated(training))
        self.pool_file = workdir / "pool.txt"
        pool = [m.message for m in self.messages[: profile.pool_size]]
        self.pool_file.write_text("\n".join(json.dumps(text, ensure_ascii=False)[1:-1] for text in pool) + "\n")
        self.pool = pool
        self.workers = [self.deployment.worker() for _ in range(scoring_workers)]
        for worker in self.workers:
            worker.wait_ready()
        self.gateway = self.deployment.gateway(processes=2, threads=32)
        self.urls = {WEAVE: self.gateway.url}
        assert self.redis is not None
        # The processes whose CPU makes an answer of each system: all of weave-ml's, its Redis included.
        self.pids = {WEAVE: [self.gateway.pid, *(worker.pid for worker in self.workers), self.redis.pid]}
        port = free_port()
        flask_env = {**self.env, "API_PORT": str(port), "GATEWAY_PROCESSES": "2", "GATEWAY_THREADS": "32"}
        self._serve(
            FLASK,
            [
                str(BIN / "gunicorn"),
                *("--worker-class", "gthread", "--workers", "2", "--threads", "32", "--bind", f"127.0.0.1:{port}"),
                "bench.baseline_app:app",
            ],
            flask_env,
            port,
        )
        port = free_port()
        uvicorn = [str(BIN / "uvicorn"), "--factory", "bench.fastapi_app:create_app", "--workers", "2"]
        self._serve(
            FASTAPI,
            [*uvicorn, "--host", "127.0.0.1", "--port", str(port), "--no-access-log", "--log-level", "warning"],
            self.env,
            port,
        )
        self.warm_up()

    def warm_up(self) -> None:
        """A short unmeasured load on each server before the first measured one: a process's first requests pay
        for what it loads and fills on first use (the first round's p99 at 8 connections was 4 to 6 times the
        second's, 2026-12-06)."""
        for url in self.urls.values():
            wrk(f"{url}/predict", 8, min(2, self.profile.duration_s), self.pool_file, "unique")

    def _serve(self, name: str, argv: list[str], env: dict[str, str], port: int) -> None:
        assert self.deployment is not None
        process = Process(argv, env, self.workdir / f"{name}.log")
        self.deployment.processes.append(process)
        self.pids[name] = [process.pid]
        self.urls[name] = f"http://127.0.0.1:{port}"
        wait_until(lambda: self._answers(self.urls[name]), 60, f"the {name} server")

    @staticmethod
    def _answers(url: str) -> bool:
        try:
            return requests.post(f"{url}/predict", json={"message": "ping"}, timeout=5).status_code == 200
        except requests.RequestException:
            return False

    def stop(self) -> None:
        if self.deployment:
            self.deployment.stop()
        if self.redis:
            self.redis.stop()

    def load(self, name: str, connections: int, mode: str, duration_s: int | None = None) -> dict[str, Any]:
        """One wrk run against one server's /predict, with the CPU its processes spent per answer; counts errors."""
        cpu_before = tree_cpu_seconds(self.pids[name])
        result = wrk(
            f"{self.urls[name]}/predict", connections, duration_s or self.profile.duration_s, self.pool_file, mode
        )
        result["cpu_ms_per_answer"] = (
            (tree_cpu_seconds(self.pids[name]) - cpu_before) * 1000 / max(result["requests"], 1)
        )
        self.errors += result["errors"]
        print(f"  c{connections} {mode} {name}: {json.dumps({k: round(v, 2) for k, v in result.items()})}", flush=True)
        return result

    def predict(self, connections: int, mode: str) -> list[dict[str, dict[str, Any]]]:
        """Rounds of wrk against the three servers; each round is {server: wrk summary}."""
        rounds: list[dict[str, dict[str, Any]]] = []
        for index in range(self.profile.rounds):
            names = [WEAVE, FLASK, FASTAPI] if index % 2 == 0 else [FASTAPI, FLASK, WEAVE]
            rounds.append({name: self.load(name, connections, mode) for name in names})
        return rounds

    def redis_commands(self) -> int:
        """Commands the Redis server (broker, results and cache) has run so far, not counting these INFO calls."""
        assert self.redis is not None
        stats = self.redis.client().info("commandstats")
        return sum(int(v["calls"]) for k, v in stats.items() if k != "cmdstat_info")

    def commands_per_predict(self, connections: int, mode: str) -> float:
        """Redis commands per answered /predict of weave-ml (INFO commandstats before and after one wrk run)."""
        before = self.redis_commands()
        answered = self.load(WEAVE, connections, mode)["requests"]
        return float(self.redis_commands() - before) / max(int(answered), 1)

    def warm_cache(self) -> None:
        session = requests.Session()
        for text in self.pool:
            assert session.post(f"{self.gateway.url}/predict", json={"message": text}, timeout=30).ok

    def texts(self, total: int) -> list[str]:
        """``total`` texts no earlier scenario sent (so no cache answers them)."""
        tag = uuid.uuid4().hex[:8]
        return [f"{self.messages[i % len(self.messages)].message} [{tag}-{i}]" for i in range(total)]

    def batch_rate(self, total: int) -> float:
        """Messages/s of ``total`` new messages through /predict/batch, from the first submission to the last result."""
        texts = self.texts(total)
        session = requests.Session()
        started = time.perf_counter()
        urls = []
        for start in range(0, total, 10_000):
            chunk = [{"id": str(i), "message": t} for i, t in enumerate(texts[start : start + 10_000], start)]
            response = session.post(f"{self.gateway.url}/predict/batch", json={"messages": chunk}, timeout=120)
            response.raise_for_status()
            urls.append(self.gateway.url + response.json()["status_url"])
        for url in urls:
            # The progress alone until the job ends, then its results once, as a client of the contract does.
            wait_until(
                lambda: session.get(f"{url}?limit=0", timeout=120).json()["status"] in ("done", "failed"),  # noqa: B023
                900,
                "batch",
                0.2,
            )
            status = session.get(url, timeout=120).json()
            assert len(status["results"]) == status["total"]
            self.errors += int(status.get("failed") or 0)
        return total / (time.perf_counter() - started)

    def batch(self) -> list[dict[str, float]]:
        """Rounds of /predict/batch against raw vectorised scoring in 2 processes."""
        total = self.profile.batch_messages
        raw = RawScoring(self.registry.root, self.env["WEAVE_SECRET_KEYS"])

        def measure(name: str) -> float:
            rate = self.batch_rate(total) if name == WEAVE else raw.rate(self.texts(total))
            print(f"  batch {total} {name}: {rate:.0f} messages/s", flush=True)
            return rate

        try:
            return in_rounds([WEAVE, RAW], self.profile.rounds, measure)
        finally:
            raw.close()

    def predict_during_batch(self) -> list[dict[str, dict[str, Any]]]:
        """/predict at 8 connections alone, and while a batch of ``batch_messages`` goes through, in rounds."""

        def measure(name: str) -> dict[str, Any]:
            if name == "alone":
                return self.load(WEAVE, 8, "unique")
            worker = threading.Thread(target=self.batch_rate, args=(self.profile.batch_messages,))
            worker.start()
            time.sleep(0.5)  # the first chunks queued
            try:
                return self.load(WEAVE, 8, "unique")
            finally:
                worker.join()

        rounds = []
        for index in range(self.profile.rounds):
            order = ["alone", "during"] if index % 2 == 0 else ["during", "alone"]
            rounds.append({name: measure(name) for name in order})
        return rounds

    def scale_out(self) -> list[dict[str, float]]:
        """Rounds of /predict/batch with 1 and 2 scoring workers, each pinned to a core of its own.

        The unpinned workers stop first. Rounds go 1, 2, 2, 1: a second worker starts and stops between them.
        """
        for worker in self.workers:
            worker.stop()
        cores = sorted(os.sched_getaffinity(0))
        pinned: list[CeleryWorker] = []

        def measure(name: str) -> float:
            assert self.deployment is not None
            while len(pinned) < int(name):
                core = str(cores[len(pinned) % len(cores)])
                pinned.append(self.deployment.worker(prefix=["taskset", "--cpu-list", core]))
                pinned[-1].wait_ready()
            while len(pinned) > int(name):
                pinned.pop().stop()
            rate = self.batch_rate(self.profile.scale_messages)
            print(f"  scale-out {name} worker(s): {rate:.0f} messages/s", flush=True)
            return rate

        try:
            return in_rounds(["1", "2"], self.profile.rounds, measure)
        finally:
            for worker in pinned:
                worker.stop()

    def retrain(self) -> dict[str, Any]:
        probe = subprocess.run(
            [sys.executable, "-m", "bench.retrain_probe", str(self.profile.retrain_messages)],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
            env=self.env,
        )
        result: dict[str, Any] = json.loads(probe.stdout.strip().splitlines()[-1])
        return result

    def retrain_reports(self) -> dict[str, Any]:
        """Fill a private MongoDB-wire server with the profile's reports, then time one retrain over them."""
        mongo = MongoServer(self.workdir / "mongo")
        try:
            uri = mongo.uri("weave")
            count = self.profile.retrain_reports
            print(f"writing {count} reports into nx-27017…", flush=True)
            fill_seconds = retrain_reports.fill(uri, count, dt.datetime.now(dt.UTC))
            print(f"written in {fill_seconds:.0f} s; retraining over them…", flush=True)
            probe = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "bench.retrain_reports",
                    uri,
                    str(self.workdir / "retrain-models"),
                    *([] if self.profile.retrain_reports_train else ["--read-only"]),
                ],
                capture_output=True,
                text=True,
                check=True,
                cwd=ROOT,
                env=self.env,
            )
        finally:
            mongo.stop()
        result: dict[str, Any] = json.loads(probe.stdout.strip().splitlines()[-1])
        print(f"retrain over {count} reports: {json.dumps(result)}", flush=True)
        return {**result, "fill_seconds": fill_seconds}


def metric_of(rounds: list[dict[str, dict[str, Any]]], metric: str) -> list[dict[str, float]]:
    return [{name: summary[metric] for name, summary in r.items()} for r in rounds]


def _predict_unique_c32(bench: Bench) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    print("unique texts, 32 connections", flush=True)
    rounds = bench.predict(32, "unique")
    rows.append(
        compare(
            "predict_unique_c32",
            "requests_per_s",
            metric_of(rounds, "requests_per_s"),
            PEERS,
            higher_is_better=True,
            target=1.0,
            target_text=">= 1.0x faster peer",
        )
    )
    rows.append(
        compare(
            "predict_unique_c32",
            "p99_ms",
            metric_of(rounds, "p99_ms"),
            PEERS,
            higher_is_better=False,
            target=2.0,
            target_text="<= 2.0x faster peer",
        )
    )
    rows.append(
        compare(
            "predict_unique_c32",
            "cpu_ms_per_answer",
            metric_of(rounds, "cpu_ms_per_answer"),
            PEERS,
            higher_is_better=False,
            target=1.0,
            target_text="<= 1.0x cheaper peer",
        )
    )
    rows.append(figure("predict_unique_c32", "redis_cmds_per_req", bench.commands_per_predict(32, "unique")))
    return rows


def _predict_unique_c1(bench: Bench) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    print("unique texts, 1 connection", flush=True)
    rounds = bench.predict(1, "unique")
    for metric, bound in (("p50_ms", 1.0), ("p99_ms", 1.5)):
        rows.append(
            compare(
                "predict_unique_c1",
                metric,
                metric_of(rounds, metric),
                PEERS,
                higher_is_better=False,
                target=bound,
                target_text=f"<= {bound}x faster peer",
            )
        )
    rows.append(
        compare(
            "predict_unique_c1",
            "cpu_ms_per_answer",
            metric_of(rounds, "cpu_ms_per_answer"),
            PEERS,
            higher_is_better=False,
            target=float("inf"),
            target_text="report",
        )
    )
    rows.append(figure("predict_unique_c1", "redis_cmds_per_req", bench.commands_per_predict(1, "unique")))
    return rows


def _predict_repeated_c32(bench: Bench) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    print("repeated texts, 32 connections", flush=True)
    bench.warm_cache()
    rounds = bench.predict(32, "cached")
    rows.append(
        compare(
            "predict_repeated_c32",
            "requests_per_s",
            metric_of(rounds, "requests_per_s"),
            PEERS,
            higher_is_better=True,
            target=3.0,
            target_text=">= 3.0x faster peer",
        )
    )
    rows.append(
        compare(
            "predict_repeated_c32",
            "cpu_ms_per_answer",
            metric_of(rounds, "cpu_ms_per_answer"),
            PEERS,
            higher_is_better=False,
            target=0.33,
            target_text="<= 0.33x cheaper peer",
        )
    )
    rows.append(figure("predict_repeated_c32", "redis_cmds_per_req", bench.commands_per_predict(32, "cached")))
    return rows


def _predict_during_batch(bench: Bench) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    print("/predict while a batch runs", flush=True)
    during = bench.predict_during_batch()
    # In the order measured: "during" is weave-ml's value, compared with "alone".
    p99s = [{WEAVE if k == "during" else k: v["p99_ms"] for k, v in r.items()} for r in during]
    rows.append(
        compare(
            "predict_during_batch",
            "p99_ms",
            p99s,
            ["alone"],
            higher_is_better=False,
            target=3.0,
            target_text="<= 3.0x /predict alone",
        )
    )
    failed = sum(r["during"]["errors"] for r in during)
    rows.append(figure("predict_during_batch", "errors", failed, target_text="0", met=failed == 0))
    return rows


def _batch_100k(bench: Bench) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    print("batch", flush=True)
    rows.append(
        compare(
            "batch_100k",
            "messages_per_s",
            bench.batch(),
            [RAW],
            higher_is_better=True,
            target=0.85,
            target_text=">= 0.85x raw, 2 processes",
        )
    )
    return rows


def _scale_out_1_to_2(bench: Bench) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    print("scale-out", flush=True)
    scaling = bench.scale_out()
    rows.append(
        compare(
            "scale_out_1_to_2",
            "messages_per_s",
            [{WEAVE if k == "2" else "1 worker": v for k, v in r.items()} for r in scaling],
            ["1 worker"],
            higher_is_better=True,
            target=1.7,
            target_text=">= 1.7x one worker",
        )
    )
    return rows


def _campaign(bench: Bench) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    assert bench.redis is not None
    cost = campaign_probe.measure(bench.redis.client(), bench.profile.corpus_size // 2)
    print(f"  campaign step: {cost}", flush=True)
    steps = (
        ("campaign_predict", "predict"),
        ("campaign_alone", "alone"),
        ("campaign_repeat", "repeat"),
        ("campaign_batch", "batch"),
    )
    for name, step in steps:
        # CPU time (this process and Redis): on a shared machine, wall time also counts the neighbours' work.
        added = cost[f"{step}_added_cpu_ms"]
        rows.append(
            figure(
                name,
                "cpu_ms_per_message",
                cost[f"{step}_on_cpu_ms"],
                target_text="<= +0.3 ms (on - off)",
                met=added <= 0.3,
                beside={"campaigns off": cost[f"{step}_off_cpu_ms"]},
            )
        )
    return rows


def _retrain_100k(bench: Bench) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    retrain = bench.retrain()
    rows.append(
        figure(
            "retrain_100k",
            "seconds",
            retrain["seconds"],
            target_text="<= 60 s",
            met=retrain["seconds"] <= 60,
        )
    )
    rows.append(
        figure(
            "retrain_100k",
            "peak_rss_mib",
            retrain["peak_rss_mib"],
            target_text="<= 2048 MiB",
            met=retrain["peak_rss_mib"] <= 2048,
        )
    )
    return rows


def _retrain_1m_reports(bench: Bench) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    retrain = bench.retrain_reports()
    rows += [
        figure("retrain_1m_reports", "fill_seconds", retrain["fill_seconds"]),
        figure("retrain_1m_reports", "seconds", retrain["seconds"]),
        figure("retrain_1m_reports", "cpu_seconds", retrain["cpu_seconds"]),
        figure(
            "retrain_1m_reports",
            "peak_rss_mib",
            retrain["peak_rss_mib"],
            target_text=f"<= {TRAINER_MEMORY_MIB} MiB",
            met=retrain["peak_rss_mib"] <= TRAINER_MEMORY_MIB,
        ),
    ]
    return rows


# The scenarios, in the order they run; ``--only`` picks some (the servers start either way).
SCENARIOS: dict[str, Callable[[Bench], list[dict[str, Any]]]] = {
    "predict_unique_c32": _predict_unique_c32,
    "predict_unique_c1": _predict_unique_c1,
    "predict_repeated_c32": _predict_repeated_c32,
    "predict_during_batch": _predict_during_batch,
    "batch_100k": _batch_100k,
    "scale_out_1_to_2": _scale_out_1_to_2,
    "campaign": _campaign,
    "retrain_100k": _retrain_100k,
    "retrain_1m_reports": _retrain_1m_reports,
}


def run(profile: Profile, scoring_workers: int, only: set[str] | None = None) -> tuple[list[dict[str, Any]], int]:
    """Run every scenario (or those named in ``only``) and return the table's rows and the failed requests."""
    workdir = Path(tempfile.mkdtemp(prefix="weave-bench-"))
    bench = Bench(workdir, profile, scoring_workers)
    rows = []
    try:
        for name, scenario in SCENARIOS.items():
            if only is None or name in only:
                rows += scenario(bench)
    finally:
        bench.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    return rows, bench.errors


def table(rows: list[dict[str, Any]]) -> str:
    """The rows as a Markdown table, as docs/performance.md shows them."""
    lines = [
        "| scenario | metric | weave-ml | peers (median) | ratio (median) | spread | target | met |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in rows:
        peers = ", ".join(f"{name} {value:,.2f}" for name, value in r["peers"].items())
        ratio = "" if r["ratio"] is None else f"{r['ratio']:.2f}"
        spread = "" if r["spread"] is None else f"{r['spread'][0]:.2f}–{r['spread'][1]:.2f}"
        lines.append(
            f"| `{r['name']}` | {r['metric']} | {r['weave']:,.2f} | {peers} | {ratio} | {spread} | {r['target']} | "
            f"{'yes' if r['met'] else 'no'} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--smoke", action="store_true", help="a few seconds per scenario, small sizes: checks it runs")
    parser.add_argument("--output", type=Path, default=RESULTS / "latest.json")
    parser.add_argument("--scoring-workers", type=int, default=2, help="Celery scoring worker processes")
    parser.add_argument("--rounds", type=int, help="rounds per scenario (at least 2; default: the profile's)")
    parser.add_argument(
        "--only", help=f"comma-separated scenarios to run, of: {', '.join(SCENARIOS)} (default: all)", default=""
    )
    args = parser.parse_args(argv)
    only = {name for name in args.only.split(",") if name} or None
    if only and only - set(SCENARIOS):
        parser.error(f"unknown scenarios: {', '.join(sorted(only - set(SCENARIOS)))}")
    if not shutil.which("wrk"):
        print(WRK_MISSING, file=sys.stderr)
        return 2
    profile = SMOKE if args.smoke else FULL
    if args.rounds:
        profile = Profile(**{**profile.__dict__, "rounds": max(2, args.rounds)})
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    rows, errors = run(profile, args.scoring_workers, only)
    print(table(rows))
    print(f"failed requests: {errors}")
    args.output.parent.mkdir(parents=True, exist_ok=True)
    result = {
        "machine": machine(),
        "date": started,
        "command": "python -m bench.run"
        + (" --smoke" if args.smoke else "")
        + (f" --only {args.only}" if only else ""),
        "smoke": args.smoke,
        "rounds": profile.rounds,
        "errors": errors,
        "scenarios": rows,
    }
    args.output.write_text(json.dumps(result, indent=2) + "\n")
    print(f"written to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

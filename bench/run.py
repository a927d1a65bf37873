"""``make bench``: weave-ml against an in-process baseline on this machine, in one run; prints a table, writes JSON.

Both servers get the same model, the same number of gunicorn processes and the same load generator (wrk).
Scenarios run one after the other, the baseline first, so the two never compete for the CPU.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

from bench import campaign_probe, retrain_reports
from devstack.deployment import Deployment
from devstack.processes import BIN, ROOT, MongoServer, Process, RedisServer, free_port, wait_until
from weave_ml import corpus
from weave_ml.training import publish, train_evaluated

RESULTS = ROOT / "bench" / "results"
LOAD_SCRIPT = ROOT / "bench" / "load.lua"


@dataclass(frozen=True)
class Profile:
    """How long and how big each scenario is."""

    duration_s: int
    corpus_size: int
    batch_messages: int
    retrain_messages: int
    # Reports in the MongoDB window of the retrain_1m_reports scenario; the smoke run reads them without training.
    retrain_reports: int
    retrain_reports_train: bool
    pool_size: int
    # Serve the default model (seed corpus and everyday text), as production does; else one fitted on the messages.
    default_model: bool


FULL = Profile(
    duration_s=15,
    corpus_size=8000,
    batch_messages=100_000,
    retrain_messages=100_000,
    retrain_reports=1_000_000,
    retrain_reports_train=True,
    pool_size=2000,
    default_model=True,
)
SMOKE = Profile(
    duration_s=1,
    corpus_size=1200,
    batch_messages=2_000,
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


def row(name: str, metric: str, weave: float, baseline: float | None, *, target: str, met: bool) -> dict[str, Any]:
    ratio = weave / baseline if baseline else None
    return {
        "name": name,
        "metric": metric,
        "weave": round(weave, 3),
        "baseline": None if baseline is None else round(baseline, 3),
        "ratio": None if ratio is None else round(ratio, 3),
        "target": target,
        "met": met,
    }


class Bench:
    """The two servers and what they share."""

    def __init__(self, workdir: Path, profile: Profile, scoring_workers: int) -> None:
        self.workdir, self.profile = workdir, profile
        self.errors = 0  # failed or non-2xx requests of both servers
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
        port = free_port()
        baseline_env = {**self.env, "API_PORT": str(port), "GATEWAY_PROCESSES": "2", "GATEWAY_THREADS": "32"}
        self.baseline = Process(
            [str(BIN / "gunicorn"), "--config", "python:api.gunicorn_conf", "bench.baseline_app:app"],
            baseline_env,
            workdir / "baseline.log",
        )
        self.deployment.processes.append(self.baseline)
        self.baseline_url = f"http://127.0.0.1:{port}"
        wait_until(lambda: self._answers(self.baseline_url), 60, "the baseline server")

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

    def predict(self, connections: int, mode: str) -> tuple[dict[str, Any], dict[str, Any]]:
        duration = self.profile.duration_s
        baseline = wrk(f"{self.baseline_url}/predict", connections, duration, self.pool_file, mode)
        weave = wrk(f"{self.gateway.url}/predict", connections, duration, self.pool_file, mode)
        self.errors += weave["errors"] + baseline["errors"]
        print(f"  c{connections} {mode}: weave {weave}\n  {'':>{len(mode) + 3}} baseline {baseline}", flush=True)
        return weave, baseline

    def warm_cache(self) -> None:
        session = requests.Session()
        for text in self.pool:
            assert session.post(f"{self.gateway.url}/predict", json={"message": text}, timeout=30).ok

    def batch(self) -> tuple[float, float]:
        """Messages/s through /predict/batch end to end, and of raw in-process vectorised scoring."""
        total = self.profile.batch_messages
        texts = [f"{self.messages[i % len(self.messages)].message} [{i}]" for i in range(total)]
        loaded = self.registry.load()
        scorer = loaded.scorer()
        started = time.perf_counter()
        scorer.score_many(texts)
        raw_rate = total / (time.perf_counter() - started)

        session = requests.Session()
        started = time.perf_counter()
        urls = []
        for start in range(0, total, 10_000):
            chunk = [{"id": str(i), "message": t} for i, t in enumerate(texts[start : start + 10_000], start)]
            response = session.post(f"{self.gateway.url}/predict/batch", json={"messages": chunk}, timeout=120)
            response.raise_for_status()
            urls.append(self.gateway.url + response.json()["status_url"])
        for url in urls:
            wait_until(lambda: session.get(url, timeout=120).json()["status"] == "done", 600, "batch", 0.2)  # noqa: B023
        weave_rate = total / (time.perf_counter() - started)
        return weave_rate, raw_rate

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


def run(profile: Profile, scoring_workers: int) -> tuple[list[dict[str, Any]], int]:
    workdir = Path(tempfile.mkdtemp(prefix="weave-bench-"))
    bench = Bench(workdir, profile, scoring_workers)
    rows = []
    try:
        weave, base = bench.predict(32, "unique")
        rate, base_rate = weave["requests_per_s"], base["requests_per_s"]
        rows.append(
            row(
                "predict_unique_c32",
                "requests_per_s",
                rate,
                base_rate,
                target=">= 1.0x baseline",
                met=rate >= base_rate,
            )
        )
        rows.append(
            row(
                "predict_unique_c32",
                "p99_ms",
                weave["p99_ms"],
                base["p99_ms"],
                target="<= 2.0x baseline",
                met=weave["p99_ms"] <= 2 * base["p99_ms"],
            )
        )
        weave, base = bench.predict(1, "unique")
        rows.append(
            row("predict_c1", "p50_ms", weave["p50_ms"], base["p50_ms"], target="<= 3 ms", met=weave["p50_ms"] <= 3)
        )
        rows.append(row("predict_c1", "p99_ms", weave["p99_ms"], base["p99_ms"], target="report", met=True))
        bench.warm_cache()
        weave, base = bench.predict(32, "cached")
        rate, base_rate = weave["requests_per_s"], base["requests_per_s"]
        rows.append(
            row(
                "predict_cached_c32",
                "requests_per_s",
                rate,
                base_rate,
                target=">= 2.0x baseline",
                met=rate >= 2 * base_rate,
            )
        )
        rate, base_rate = bench.batch()
        rows.append(
            row(
                "batch_100k",
                "messages_per_s",
                rate,
                base_rate,
                target=">= 0.7x in-process",
                met=rate >= 0.7 * base_rate,
            )
        )
        assert bench.redis is not None
        cost = campaign_probe.measure(bench.redis.client(), bench.profile.corpus_size // 2)
        print(f"  campaign step: {cost}", flush=True)
        for name, step in (("campaign_predict", "predict"), ("campaign_batch", "batch")):
            # CPU time (this process and Redis): on a shared machine, wall time also counts the neighbours' work.
            added = cost[f"{step}_added_cpu_ms"]
            rows.append(
                row(
                    name,
                    "cpu_ms_per_message",
                    cost[f"{step}_on_cpu_ms"],
                    cost[f"{step}_off_cpu_ms"],
                    target="<= +0.3 ms (on - off)",
                    met=added <= 0.3,
                )
            )
        retrain = bench.retrain()
        rows.append(
            row("retrain_100k", "seconds", retrain["seconds"], None, target="<= 60 s", met=retrain["seconds"] <= 60)
        )
        rows.append(
            row(
                "retrain_100k",
                "peak_rss_mib",
                retrain["peak_rss_mib"],
                None,
                target="<= 2048 MiB",
                met=retrain["peak_rss_mib"] <= 2048,
            )
        )
        retrain = bench.retrain_reports()
        rows += [
            row("retrain_1m_reports", "fill_seconds", retrain["fill_seconds"], None, target="report", met=True),
            row("retrain_1m_reports", "seconds", retrain["seconds"], None, target="report", met=True),
            row("retrain_1m_reports", "cpu_seconds", retrain["cpu_seconds"], None, target="report", met=True),
            row(
                "retrain_1m_reports",
                "peak_rss_mib",
                retrain["peak_rss_mib"],
                None,
                target=f"<= {TRAINER_MEMORY_MIB} MiB",
                met=retrain["peak_rss_mib"] <= TRAINER_MEMORY_MIB,
            ),
        ]
    finally:
        bench.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    return rows, bench.errors


def table(rows: list[dict[str, Any]]) -> str:
    lines = [f"{'scenario':<20} {'metric':<16} {'weave-ml':>10} {'baseline':>10} {'ratio':>7}  {'target':<20} met"]
    for r in rows:
        baseline = "" if r["baseline"] is None else f"{r['baseline']:.2f}"
        ratio = "" if r["ratio"] is None else f"{r['ratio']:.2f}"
        lines.append(
            f"{r['name']:<20} {r['metric']:<16} {r['weave']:>10.2f} {baseline:>10} {ratio:>7}  "
            f"{r['target']:<20} {'yes' if r['met'] else 'NO'}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--smoke", action="store_true", help="a few seconds per scenario, small sizes: checks it runs")
    parser.add_argument("--output", type=Path, default=RESULTS / "latest.json")
    parser.add_argument("--scoring-workers", type=int, default=2, help="Celery scoring worker processes")
    args = parser.parse_args(argv)
    if not shutil.which("wrk"):
        print("make bench needs wrk (apt-get install wrk)", file=sys.stderr)
        return 2
    rows, errors = run(SMOKE if args.smoke else FULL, args.scoring_workers)
    print(table(rows))
    print(f"failed requests: {errors}")
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(
        json.dumps({"machine": machine(), "smoke": args.smoke, "errors": errors, "scenarios": rows}, indent=2) + "\n"
    )
    print(f"written to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Where an answer's CPU goes, by step: ``python -m bench.cost_budget [cached|unique] [CONNECTIONS]``, or for a
message of a batch job ``python -m bench.cost_budget batch [MESSAGES]``.

Starts weave-ml as ``make bench`` does (bench.run's deployment: 2 gateway processes, 2 scoring workers, a private
Redis), loads ``/predict`` with wrk for 10 s (or sends MESSAGES new texts through ``/predict/batch`` as
``make bench`` does, 20,000 by default: about 10 s), and meanwhile samples one gateway's processes and one worker
with py-spy (``--gil``: only the thread holding the interpreter, which is where Python spends CPU). Each process
group's CPU per answer (``/proc``, user + system) is then split by the share of its samples in each step. The
split is approximate: time outside the interpreter (system calls, granian's Rust side) is spread like the rest.
Redis commands per answer, by name, come from ``INFO commandstats``. Prints JSON.

py-spy is not a dependency of the project: ``pip install py-spy`` (this says so when it is missing).
"""

from __future__ import annotations

import collections
import dataclasses
import json
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bench import run as bench_run

GATEWAY_STEPS = (
    ("log line", ("log_prediction", "QueueListener", "logging/")),
    ("metrics", ("api/metrics", "prometheus_client")),
    ("campaign step and reputation", ("campaign_step.py", "campaigns/", "reputation/")),
    ("hashing (normalise, HMAC)", ("message_hash", "keys.py", "model/text.py")),
    ("hot map", ("hot_score", "hot_scores.py")),
    ("cache look-up", ("_answer_cached", "cached_scores", "cache.py")),
    ("batch job: store, read", ("serving/batches.py",)),
    ("dispatch and publish", ("_send_micro_batch", "send_task", "_send_loop", "kombu/", "celery/")),
    ("reply read", ("_reply_loop", "replies.py")),
    ("body validation and answer JSON", ("spectree", "pydantic")),
    ("Flask and werkzeug", ("flask/", "werkzeug/", "blinker")),
    ("HTTP server", ("granian", "gunicorn", "selectors", "socket.py")),
)
WORKER_STEPS = (
    ("scoring", ("score_many", "Scorer", "sklearn", "scipy", "numpy", "features.py", "links.py")),
    ("cache write and reply", ("store_many", "replies.py", "_cache (")),
    ("unpack (sealed body)", ("sealed_bodies", "Secrets.open", "keys.py")),
    ("hashing", ("message_hash", "model/text.py")),
    ("Celery and kombu per task", ("celery/", "kombu/", "billiard", "redis/")),
)
# A batch chunk's steps in the worker, each the first of these found anywhere in a sample's stack: its campaign
# counting reads the text with the model's own helpers (normalisation, links, numpy), which the deepest frame
# would put under scoring.
BATCH_WORKER_STEPS = (
    ("scoring", ("score_many",)),
    ("campaign step and reputation", ("count_batch",)),
    ("cache write", ("store_many", "_cache (")),
    ("claim and finish the chunk", ("serving/batches.py",)),
    ("hashing", ("message_hash",)),
    ("Celery and kombu per task", ("celery/", "kombu/", "billiard", "redis/")),
)
SECONDS = 10
BATCH_MESSAGES = 20_000


def split(samples: Path, steps: tuple[tuple[str, tuple[str, ...]], ...], cpu_ms: float) -> dict[str, int]:
    """µs per answer of each step: ``cpu_ms`` shared out by the samples whose deepest known frame is the step's."""
    counts: collections.Counter[str] = collections.Counter()
    for stack, count in _stacks(samples):
        step = "other"
        for frame in reversed(stack.split(";")):
            step = next((name for name, marks in steps if any(mark in frame for mark in marks)), "")
            if step:
                break
        counts[step or "other"] += count
    return _shared_out(counts, cpu_ms)


def split_first_found(samples: Path, steps: tuple[tuple[str, tuple[str, ...]], ...], cpu_ms: float) -> dict[str, int]:
    """µs per answer of each step: ``cpu_ms`` shared out by the samples whose stack holds the step's frame, the
    earlier step of ``steps`` first."""
    counts: collections.Counter[str] = collections.Counter()
    for stack, count in _stacks(samples):
        step = next((name for name, marks in steps if any(mark in stack for mark in marks)), "other")
        counts[step] += count
    return _shared_out(counts, cpu_ms)


def _stacks(samples: Path) -> Iterator[tuple[str, int]]:
    """Each stack of py-spy's raw output with its sample count (a line cut short, without a count, is skipped)."""
    for line in samples.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if count.isdigit():
            yield stack, int(count)


def _shared_out(counts: collections.Counter[str], cpu_ms: float) -> dict[str, int]:
    total = sum(counts.values()) or 1
    return {name: round(count / total * cpu_ms * 1000) for name, count in counts.most_common()}


def main() -> int:
    mode = sys.argv[1] if len(sys.argv) > 1 else "unique"
    size = int(sys.argv[2]) if len(sys.argv) > 2 else (BATCH_MESSAGES if mode == "batch" else 32)
    py_spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    if not Path(py_spy).exists():
        sys.exit("bench.cost_budget needs py-spy: pip install py-spy")
    workdir = Path(tempfile.mkdtemp(prefix="weave-budget-"))
    # The smoke profile's small model and corpus, with a pool and load long enough to sample.
    profile = dataclasses.replace(bench_run.SMOKE, duration_s=SECONDS, corpus_size=3000, pool_size=2000)
    bench = bench_run.Bench(workdir, profile, scoring_workers=2)
    try:
        assert bench.redis is not None
        if mode == "cached":
            bench.warm_cache()
        if mode != "batch":
            bench.load(bench_run.WEAVE, size, mode, 3)
        groups = {
            "gateway": [bench.gateway.pid],
            "worker": [worker.pid for worker in bench.workers],
            "redis": [bench.redis.pid],
        }
        samplers = {
            name: subprocess.Popen(
                [
                    *(py_spy, "record", "-p", str(pid), "-d", str(SECONDS - 1), "-r", "250", "-f", "raw"),
                    *("-o", str(workdir / f"{name}.txt"), "--nonblocking", "--subprocesses", "--gil"),
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            for name, pid in (("gateway", bench.gateway.pid), ("worker", bench.workers[0].pid))
        }
        client = bench.redis.client()
        commands_before = client.info("commandstats")
        cpu_before = {name: bench_run.tree_cpu_seconds(pids) for name, pids in groups.items()}
        if mode == "batch":
            started = time.perf_counter()
            result: dict[str, Any] = {"messages_per_s": round(bench.batch_rate(size), 1), "requests": size}
            result["seconds"] = round(time.perf_counter() - started, 1)
        else:
            result = bench.load(bench_run.WEAVE, size, mode, SECONDS)
        cpu_after = {name: bench_run.tree_cpu_seconds(pids) for name, pids in groups.items()}
        commands_after = client.info("commandstats")
        for sampler in samplers.values():
            sampler.wait()
        answers = max(int(result["requests"]), 1)
        cpu_ms = {name: (cpu_after[name] - cpu_before[name]) * 1000 / answers for name in groups}
        report: dict[str, Any] = {
            "machine": bench_run.machine(),
            "command": f"python -m bench.cost_budget {mode} {size}",
            "load": result,
            "cpu_ms_per_answer": {name: round(value, 3) for name, value in cpu_ms.items()},
            "gateway_us": split(workdir / "gateway.txt", GATEWAY_STEPS, cpu_ms["gateway"]),
            "redis_commands_per_answer": {
                name.removeprefix("cmdstat_"): round(
                    (stats["calls"] - commands_before.get(name, {"calls": 0})["calls"]) / answers, 2
                )
                for name, stats in commands_after.items()
                if name != "cmdstat_info" and stats["calls"] > commands_before.get(name, {"calls": 0})["calls"]
            },
        }
        if mode == "unique":
            report["worker_us"] = split(workdir / "worker.txt", WORKER_STEPS, cpu_ms["worker"])
        elif mode == "batch":
            report["worker_us"] = split_first_found(workdir / "worker.txt", BATCH_WORKER_STEPS, cpu_ms["worker"])
        print(json.dumps(report, ensure_ascii=False, indent=1))
    finally:
        bench.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

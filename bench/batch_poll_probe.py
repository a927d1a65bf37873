"""What one read of a batch job's status costs: ``python -m bench.batch_poll_probe [MESSAGES]``.

Starts weave-ml as ``make bench`` does (bench.run's deployment), sends one job of MESSAGES new texts (10,000 by
default) through ``POST /predict/batch``, waits until it is done, then reads its status in rounds, alternating
the kinds of read: the whole job, a page of 1,000 results, and the progress alone (``?limit=0``). For each kind:
the gateway's CPU per read (its processes' user and system time from ``/proc``), the wall time, the body's size
and the Redis commands per read (``INFO commandstats``). Prints JSON.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import requests

from bench import run as bench_run
from devstack.processes import wait_until

READS = {"whole job": "", "page of 1,000": "?offset=4000&limit=1000", "progress alone": "?limit=0"}
ROUNDS = 4
READS_PER_ROUND = 5


def main() -> int:
    messages = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    workdir = Path(tempfile.mkdtemp(prefix="weave-batch-poll-"))
    profile = dataclasses.replace(bench_run.SMOKE, corpus_size=3000, pool_size=2000)
    bench = bench_run.Bench(workdir, profile, scoring_workers=2)
    try:
        assert bench.redis is not None
        session = requests.Session()
        items = [{"id": str(i), "message": text} for i, text in enumerate(bench.texts(messages))]
        created = session.post(f"{bench.gateway.url}/predict/batch", json={"messages": items}, timeout=120)
        created.raise_for_status()
        url = bench.gateway.url + created.json()["status_url"]
        wait_until(lambda: session.get(f"{url}?limit=0").json()["status"] == "done", 600, "the batch", 0.5)
        figures: dict[str, dict[str, list[float]]] = {name: {} for name in READS}
        for index in range(ROUNDS):
            order = list(READS) if index % 2 == 0 else list(reversed(READS))
            for name in order:
                commands_before = bench.redis_commands()
                cpu_before = bench_run.tree_cpu_seconds([bench.gateway.pid])
                started = time.perf_counter()
                for _ in range(READS_PER_ROUND):
                    response = session.get(url + READS[name], timeout=120)
                    assert response.status_code == 200, response.text
                wall = (time.perf_counter() - started) / READS_PER_ROUND
                cpu = (bench_run.tree_cpu_seconds([bench.gateway.pid]) - cpu_before) / READS_PER_ROUND
                commands = (bench.redis_commands() - commands_before) / READS_PER_ROUND
                for key, value in (
                    ("gateway_cpu_ms", cpu * 1000),
                    ("wall_ms", wall * 1000),
                    ("bytes", len(response.content)),
                    ("redis_commands", commands),
                ):
                    figures[name].setdefault(key, []).append(value)
        whole = statistics.median(figures["whole job"]["gateway_cpu_ms"])
        report: dict[str, Any] = {
            "machine": bench_run.machine(),
            "command": f"python -m bench.batch_poll_probe {messages}",
            "messages": messages,
            "reads": {
                name: {
                    **{key: round(statistics.median(values), 2) for key, values in kinds.items()},
                    "gateway_cpu_spread_ms": [round(f(kinds["gateway_cpu_ms"]), 2) for f in (min, max)],
                    "cpu_ratio_to_whole_job": round(statistics.median(kinds["gateway_cpu_ms"]) / whole, 4),
                }
                for name, kinds in figures.items()
            },
        }
        print(json.dumps(report, ensure_ascii=False, indent=1))
    finally:
        bench.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""``make run`` (``python -m devstack``) on real processes: one that dies comes back, Ctrl-C stops every one."""

from __future__ import annotations

import os
import re
import signal
import sys
import uuid
from pathlib import Path

import pytest
import requests

from devstack.processes import Process, free_port, wait_until

pytestmark = pytest.mark.integration

STARTED = re.compile(r"system +\| (\w+) started with pid (\d+)")


def started(log: str) -> list[tuple[str, int]]:
    """Every start ``make run`` reported, in order: (process name, pid)."""
    return [(name, int(pid)) for name, pid in STARTED.findall(log)]


def process_groups() -> set[int]:
    """The process group of every process on the machine."""
    groups = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            # The command name, in brackets, may hold spaces: the fields after it are plain.
            groups.add(int(stat.read_text().rsplit(")", 1)[1].split()[2]))
        except (OSError, IndexError, ValueError):
            continue  # gone meanwhile
    return groups


def test_a_killed_process_is_started_again_and_ctrl_c_stops_every_process(make_stack):
    stack = make_stack()  # its Redis databases and its registry, with the seed model published
    api = f"http://127.0.0.1:{free_port()}"
    env = {
        **stack.env,
        "API_PORT": api.rsplit(":", 1)[1],
        "FLOWER_PORT": str(free_port()),
        "GATEWAY_PROCESSES": "1",
        # Given, so no private MongoDB is started; nothing here reads reports.
        "MONGODB_URI": f"mongodb://127.0.0.1:{free_port()}/weave",
    }
    argv = [sys.executable, "-m", "devstack", "--var", str(stack.root / "var")]
    run = Process(argv, env, stack.logs / "make-run.log")
    stack.processes.append(run)

    def predicts() -> bool:
        try:
            answer = requests.post(f"{api}/predict", json={"message": f"택배 보관중 {uuid.uuid4().hex}"}, timeout=10)
        except requests.RequestException:
            return False
        return answer.status_code == 200

    wait_until(predicts, 120, "make run to answer /predict", interval_s=0.5)
    first = dict(started(run.log()))
    assert set(first) == {"api", "worker", "trainer", "beat", "flower"}, run.log()[-3000:]

    os.kill(first["worker"], signal.SIGKILL)
    wait_until(lambda: len(started(run.log())) > len(first), 30, "make run to start the worker again")
    name, pid = started(run.log())[-1]
    assert name == "worker" and pid != first["worker"]
    assert "worker was killed by SIGKILL after" in run.log()
    wait_until(predicts, 60, "the new worker to answer", interval_s=0.5)
    assert run.alive()
    assert [name for name, _ in started(run.log())].count("api") == 1  # nothing else was restarted

    run.popen.send_signal(signal.SIGINT)
    assert run.popen.wait(timeout=90) == 0, run.log()[-3000:]
    pids = {pid for _, pid in started(run.log())}
    assert not pids & process_groups(), "a process of make run outlived it"

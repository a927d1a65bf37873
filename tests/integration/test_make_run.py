"""``make run`` (``python -m devstack``) on real processes: one that dies comes back, every one outlives a Redis
outage, Ctrl-C stops every one, a SIGKILL of ``make run`` takes every one with it, and two stacks on one machine
share no Redis."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import sys
import time
import uuid
from pathlib import Path

import pytest
import redis
import requests

from devstack.processes import Process, RedisServer, free_port, wait_until
from devstack.run import redis_answers
from tests.integration.conftest import Stack
from weave_ml import worker_states

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


def session_members(leaders: set[int]) -> set[int]:
    """The live processes of the sessions these processes lead: each child of ``make run`` leads one, so these are
    its children and what they started (granian's processes, Celery's pool). A zombie runs nothing: not counted."""
    members = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # gone meanwhile
        if fields[0] != "Z" and int(fields[3]) in leaders:
            members.add(int(stat.parent.name))
    return members


def make_run(stack: Stack, unset: tuple[str, ...] = (), **settings: str) -> tuple[Process, str, str]:
    """Start ``python -m devstack`` on the stack's Redis and registry, without the variables ``unset``; return it, its
    gateway's and Flower's address."""
    api, flower = (f"http://127.0.0.1:{free_port()}" for _ in range(2))
    env = {
        **stack.env,
        "API_PORT": api.rsplit(":", 1)[1],
        "FLOWER_PORT": flower.rsplit(":", 1)[1],
        "GATEWAY_PROCESSES": "1",
        # Given, so no private MongoDB is started: a retrain fails at once, as nothing answers there.
        "MONGODB_URI": f"mongodb://127.0.0.1:{free_port()}/weave",
        **settings,
    }
    env = {name: value for name, value in env.items() if name not in unset}
    argv = [sys.executable, "-m", "devstack", "--var", str(stack.root / "var")]
    run = Process(argv, env, stack.logs / "make-run.log")
    stack.processes.append(run)
    return run, api, flower


def predicts(api: str) -> bool:
    try:
        answer = requests.post(f"{api}/predict", json={"message": f"택배 보관중 {uuid.uuid4().hex}"}, timeout=10)
    except requests.RequestException:
        return False
    return answer.status_code == 200


def test_a_killed_process_is_started_again_and_ctrl_c_stops_every_process(make_stack):
    stack = make_stack()  # its Redis databases and its registry, with the seed model published
    run, api, _ = make_run(stack)
    wait_until(lambda: predicts(api), 120, "make run to answer /predict", interval_s=0.5)
    first = dict(started(run.log()))
    assert set(first) == {"api", "worker", "trainer", "beat", "flower"}, run.log()[-3000:]

    os.kill(first["worker"], signal.SIGKILL)
    wait_until(lambda: len(started(run.log())) > len(first), 30, "make run to start the worker again")
    name, pid = started(run.log())[-1]
    assert name == "worker" and pid != first["worker"]
    assert "worker was killed by SIGKILL after" in run.log()
    wait_until(lambda: predicts(api), 60, "the new worker to answer", interval_s=0.5)
    assert run.alive()
    assert [name for name, _ in started(run.log())].count("api") == 1  # nothing else was restarted

    run.popen.send_signal(signal.SIGINT)
    assert run.popen.wait(timeout=90) == 0, run.log()[-3000:]
    pids = {pid for _, pid in started(run.log())}
    assert not pids & process_groups(), "a process of make run outlived it"


def test_make_run_killed_outright_takes_every_process_it_started_with_it(make_stack):
    stack = make_stack()
    # Private Redis and MongoDB too: they are processes of make run as much as the Procfile's.
    run, api, flower = make_run(stack, unset=("REDIS_URL", "CACHE_REDIS_URL", "STATE_REDIS_URL", "MONGODB_URI"))
    leaders: set[int] = set()
    try:
        wait_until(lambda: predicts(api), 120, "make run to answer /predict", interval_s=0.5)
        wait_until(lambda: answers(f"{flower}/healthcheck"), 120, "Flower to start (after its wait for a worker)", 0.5)
        leaders = {pid for _, pid in started(run.log())}
        processes = {"redis", "mongo", "api", "worker", "trainer", "beat", "flower"}
        assert {name for name, _ in started(run.log())} == processes, run.log()[-3000:]
        everyone = session_members(leaders)
        # Grandchildren too: the gateway's server process and the trainer's two pool processes.
        assert len(everyone) >= len(leaders) + 3, run.log()[-3000:]

        run.kill(signal.SIGKILL)
        killed = time.monotonic()
        wait_until(lambda: not session_members(leaders), 10, "every process of make run to end", 0.1)
        print(f"{len(everyone)} processes gone {time.monotonic() - killed:.1f} s after make run was killed")
    finally:
        for pid in leaders:  # what outlived it, if anything did, must not outlive the test
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGKILL)


def test_two_make_runs_on_one_machine_each_use_a_redis_of_their_own(make_stack, tmp_path):
    # A Redis answering at the usual address, as on a developer's machine: make run used to take it when REDIS_URL was
    # unset, so two stacks shared it.
    usual = "redis://127.0.0.1:6379/0"
    machine = None if redis_answers(usual) else RedisServer(tmp_path / "machine-redis", port=6379)
    runs = [make_run(make_stack(), unset=("REDIS_URL", "CACHE_REDIS_URL", "STATE_REDIS_URL")) for _ in range(2)]
    try:
        wait_until(lambda: all(predicts(api) for _, api, _ in runs), 180, "both stacks to answer", interval_s=0.5)
        banners = [re.findall(r"Redis +(redis://\S+)", run.log()) for run, _, _ in runs]
        assert all(len(found) == 1 for found in banners), banners
        urls = [found[0] for found in banners]
        assert len(set(urls)) == 2 and usual not in urls, urls
        # Each stack's Redis knows its own scoring worker, and no process of the other stack.
        for (run, _, _), url in zip(runs, urls, strict=True):
            published = {state["pid"] for state in worker_states.live(redis.Redis.from_url(url))}
            own = session_members({pid for _, pid in started(run.log())})
            assert dict(started(run.log()))["worker"] in published and published <= own, (published, own)
    finally:
        for run, _, _ in runs:
            run.popen.send_signal(signal.SIGINT)
            run.popen.wait(timeout=90)
        if machine is not None:
            machine.stop()


@pytest.mark.timeout(480)
def test_every_process_outlives_a_redis_outage_of_90_s_and_resumes_by_itself(seed_model, tmp_path):
    server = RedisServer(tmp_path / "redis")
    stack = Stack(server, tmp_path / "stack", seed_model)
    # A retrain falls due every minute, so one does while Redis is down.
    run, api, flower = make_run(stack, ML_CRON_SCHEDULE="* * * * *")
    try:
        wait_until(lambda: predicts(api), 120, "make run to answer /predict", interval_s=0.5)
        wait_until(lambda: answers(f"{flower}/healthcheck"), 120, "Flower to start (after its wait for a worker)", 0.5)
        before = started(run.log())
        assert {name for name, _ in before} == {"api", "worker", "trainer", "beat", "flower"}, run.log()[-3000:]

        server.stop()
        outage_ends = time.monotonic() + 90
        while time.monotonic() < outage_ends:
            assert requests.get(f"{api}/livez", timeout=5).status_code == 200
            refused = requests.post(f"{api}/predict", json={"message": "택배 보관중"}, timeout=10)
            assert refused.status_code == 503
            time.sleep(5)  # a probe every 5 s for as long as the outage lasts
        server = RedisServer(tmp_path / "redis", port=server.port)  # empty: nothing was kept on disk
        back = time.monotonic()
        wait_until(lambda: predicts(api), 30, "predictions within 30 s of Redis' return", interval_s=0.5)
        recovered_s = time.monotonic() - back
        wait_until(lambda: requests.get(f"{api}/health", timeout=5).json()["status"] == "healthy", 30, "healthy")

        # Nothing exited and nothing was started again: every process rode the outage out.
        assert started(run.log()) == before, run.log()[-5000:]
        assert all(Path(f"/proc/{pid}").exists() for _, pid in before)
        assert answers(f"{flower}/healthcheck")
        # Beat held the retrain that fell due until the broker was back, and the trainer ran it (it fails: no MongoDB).
        wait_until(lambda: retrains_counted(api), 90, "a retrain sent by beat after the outage", interval_s=1)
        assert "Message Error" not in run.log()
        print(f"predictions back {recovered_s:.1f} s after Redis")
    finally:
        run.popen.send_signal(signal.SIGINT)
        run.popen.wait(timeout=90)
        stack.stop()
        server.stop()


def answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=5).status_code == 200
    except requests.RequestException:
        return False


def retrains_counted(api: str) -> bool:
    """Whether the gateway's /metrics counts a retrain run, whatever its outcome."""
    lines = requests.get(f"{api}/metrics", timeout=10).text.splitlines()
    return any(line.startswith("weave_retrain_runs_total{") and float(line.split()[-1]) >= 1 for line in lines)

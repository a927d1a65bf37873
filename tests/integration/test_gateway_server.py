"""The gateway's server (api/serve.py) as a container runs it: its main process is pid 1 of its own namespace."""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from devstack import ROOT
from devstack.processes import free_port, wait_until

pytestmark = pytest.mark.integration

UNSHARE = shutil.which("unshare")


def pid_namespaces() -> bool:
    """Whether this machine lets the tests make a pid namespace (root and a kernel that allows it)."""
    if UNSHARE is None or os.geteuid() != 0:
        return False
    tried = subprocess.run([UNSHARE, "--pid", "--fork", "true"], capture_output=True, timeout=30, check=False)
    return tried.returncode == 0


@pytest.mark.skipif(not pid_namespaces(), reason="needs unshare(1) and the right to make a pid namespace (root)")
def test_the_server_processes_stay_up_when_the_main_process_is_pid_1(tmp_path: Path):
    """Its processes die with the main one (PR_SET_PDEATHSIG); that check must not take pid 1 for a dead parent."""
    port = free_port()
    env = {
        **os.environ,
        "API_PORT": str(port),
        "GRANIAN_HOST": "127.0.0.1",
        "GATEWAY_PROCESSES": "2",
        "GATEWAY_THREADS": "4",
        "WEAVE_SECRET_KEYS": secrets.token_urlsafe(32),
        "ML_MODEL_DIR": str(tmp_path / "models"),
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics"),
        "REDIS_URL": "redis://127.0.0.1:1/0",  # /livez touches no Redis
    }
    argv = [str(UNSHARE), "--pid", "--fork", "--kill-child", sys.executable, "-m", "api.serve"]
    with (tmp_path / "server.log").open("w") as log:
        server = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:

        def live() -> bool:
            assert server.poll() is None, (tmp_path / "server.log").read_text()
            try:
                return requests.get(f"http://127.0.0.1:{port}/livez", timeout=2).status_code == 200
            except requests.RequestException:
                return False

        wait_until(live, 60, "the gateway under pid 1 to answer /livez", 0.2)
        for _ in range(20):
            assert requests.get(f"http://127.0.0.1:{port}/livez", timeout=5).status_code == 200
        assert "Unexpected exit" not in (tmp_path / "server.log").read_text()
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)

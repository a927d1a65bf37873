"""The monitoring config is valid for Prometheus itself (promtool), and logs never carry task arguments."""

from __future__ import annotations

import json
import logging
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from weave_ml import logs

MONITORING = Path(__file__).resolve().parents[2] / "deploy" / "monitoring"
PROMTOOL = shutil.which("promtool")
needs_promtool = pytest.mark.skipif(
    PROMTOOL is None, reason="promtool is not installed (apt-get install prometheus; .ci/run does)"
)


@needs_promtool
@pytest.mark.parametrize(("check", "name"), [("config", "prometheus.yml"), ("rules", "alerts.yml")])
def test_promtool_accepts_the_monitoring_config(check, name):
    result = subprocess.run(
        [str(PROMTOOL), "check", check, str(MONITORING / name)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_grafana_dashboard_is_json():
    dashboard = json.loads((MONITORING / "grafana-dashboard.json").read_text())
    assert dashboard["panels"] and all(panel["targets"] for panel in dashboard["panels"])


def record(**extra) -> logging.LogRecord:
    entry = logging.LogRecord("celery.app.trace", logging.INFO, __file__, 1, "Task %s succeeded", ("t",), None)
    entry.__dict__.update(extra)
    return entry


def test_json_lines_carry_the_request_id_and_drop_task_arguments():
    token = logs.request_id.set("req-1")
    try:
        entry = record(data={"id": "t", "name": "weave.score_messages", "args": "['010-1234-5678 택배']"})
        logs.RequestIdFilter().filter(entry)
    finally:
        logs.request_id.reset(token)
    line = json.loads(logs.JsonFormatter().format(entry))
    assert line["request_id"] == "req-1" and line["message"] == "Task t succeeded"
    assert line["data"] == {"id": "t", "name": "weave.score_messages"}


def test_text_lines_show_the_request_id_only_when_there_is_one():
    with_id, without = record(request_id="req-2"), record(request_id=None)
    assert "celery.app.trace [req-2]: Task t succeeded" in logs.TextFormatter().format(with_id)
    assert "celery.app.trace: Task t succeeded" in logs.TextFormatter().format(without)


@pytest.mark.parametrize(("given", "kept"), [("abc-123", True), ("a b", False), ("x" * 65, False), (None, False)])
def test_a_callers_request_id_is_kept_only_when_plain(given, kept):
    assert (logs.new_request_id(given) == given) is kept


QUEUED_LOGGING = """
import logging, os, sys, threading
from weave_ml import logs
logs.configure("json", queued=True)
log = logging.getLogger("probe")

def work(n):
    logs.request_id.set(f"thread-{n}")
    for i in range(250):
        log.info("line %d of %d", i, n)

threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
for t in threads:
    t.start()
for t in threads:
    t.join()
try:
    raise ValueError("boom")
except ValueError:
    log.exception("failed")
pid = os.fork()
if pid == 0:
    log.info("from the child")
    sys.exit(0)
os.waitpid(pid, 0)
"""


def test_queued_lines_are_all_written_by_exit_with_their_threads_request_id():
    """The gateway's logging hands records to a writer thread: none is lost at exit or in a forked child."""
    done = subprocess.run(
        [sys.executable, "-c", QUEUED_LOGGING], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stderr.splitlines() if line.startswith("{")]
    probe = [line for line in lines if line["message"].startswith("line ")]
    assert len(probe) == 8 * 250
    assert all(line["request_id"] == f"thread-{line['message'].split()[-1]}" for line in probe)
    (failed,) = [line for line in lines if line["message"] == "failed"]
    assert "ValueError: boom" in failed["exception"]
    assert [line["message"] for line in lines].count("from the child") == 1

"""Every container command and healthcheck is a valid invocation of the project's own entry points.

A container's command is a Procfile process name; deploy/entrypoint.sh runs that Procfile line. Here the
entry point script really runs each one, with fake `python` and `celery` executables that print the
argv they were given, in the environment the stack and the Dockerfile give that container. Each argv is
then parsed by the real CLI (celery's click commands, granian's options, Flower's options).
"""

from __future__ import annotations

import http.server
import json
import os
import shlex
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import click
import pytest
from celery.bin.celery import celery as celery_cli

from devstack.stackfile import load_yaml
from tests.deploy.conftest import (
    ROOT,
    dockerfile_env,
    dockerfile_instructions,
    env_example,
    procfile,
    stack,
)
from weave_ml.cli import build_parser
from workers import liveness

ENTRYPOINT = ROOT / "deploy" / "entrypoint.sh"
APP_IMAGES = {"${ML_INFERENCE_IMAGE", "${ML_TRAINER_IMAGE"}
# Prints its name and arguments NUL-separated, in place of the real program.
FAKE_PROGRAM = """#!/bin/sh
printf '%s\\0' "$(basename "$0")" "$@"
"""


def app_services() -> dict[str, dict]:
    """Return the stack's services that run the project's images."""
    raw = load_yaml(ROOT / "docker-compose.prod.yml")["services"]
    filled = stack()["services"]
    return {name: filled[name] for name, service in raw.items() if service["image"].startswith(tuple(APP_IMAGES))}


def container_env(service: dict) -> dict[str, str]:
    """Return the environment a container of the service starts with (Dockerfile ENV, then the stack's)."""
    return {**dockerfile_env(), **{key: str(value) for key, value in service.get("environment", {}).items()}}


def run_with_fakes(argv: list[str], env: dict[str, str], tmp_path: Path) -> list[str]:
    """Run argv with fake `celery` and `python` first on PATH; return the argv that reached one."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    for name in ("celery", "python"):
        fake = bin_dir / name
        fake.write_text(FAKE_PROGRAM)
        fake.chmod(0o755)
    result = subprocess.run(
        argv,
        env={**env, "PATH": f"{bin_dir}{os.pathsep}/usr/bin:/bin", "WEAVE_PROCFILE": str(ROOT / "Procfile")},
        capture_output=True,
        timeout=30,
        check=True,
    )
    return result.stdout.decode().split("\0")[:-1]


def run_entrypoint(args: list[str], env: dict[str, str], tmp_path: Path) -> list[str]:
    """Run deploy/entrypoint.sh with the real Procfile; return the argv it executed."""
    return run_with_fakes(["sh", str(ENTRYPOINT), *args], env, tmp_path)


def unwrap_readiness(argv: list[str]) -> list[str]:
    """For ``python -m workers.readiness [OPTIONS] -- CMD``: check OPTIONS with the module's parser, return CMD."""
    if argv[:3] != ["python", "-m", "workers.readiness"]:
        return argv
    split = argv.index("--")
    result = subprocess.run(
        [sys.executable, "-m", "workers.readiness", *argv[3:split], "--help"],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, f"workers.readiness rejects {argv[3:split]}: {result.stderr}"
    return argv[split + 1 :]


def parse_celery(argv: list[str]) -> tuple[str, dict]:
    """Parse ``celery ARGS`` with celery's own click commands, without running them; return (command, params)."""
    assert argv[0] == "celery"
    ctx = celery_cli.make_context("celery", argv[1:])
    with ctx:
        name, command, rest = celery_cli.resolve_command(ctx, [*ctx._protected_args, *ctx.args])
        # The group's callback loads the --app module and puts it on the context, as at a real start.
        ctx.invoked_subcommand = name
        ctx.invoke(celery_cli.callback, **ctx.params)
        return name, command.make_context(name, rest, parent=ctx).params


def check_flower_options(tornado_argv: tuple[str, ...]) -> None:
    """Flower silently drops options it does not know: require each to exist, then let tornado parse them."""
    code = (
        "import sys\n"
        "from flower.options import options\n"
        "known = set(options._options)\n"
        "for arg in sys.argv[1:]:\n"
        "    name = arg.lstrip('-').partition('=')[0].replace('_', '-')\n"
        "    assert name in known, f'flower has no option --{name}'\n"
        "options.parse_command_line(['flower', *sys.argv[1:]], final=False)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, *tornado_argv], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr


def check_gateway(argv: list[str], env: dict[str, str]) -> None:
    """granian's own CLI parses the options api.serve gives it, and the WSGI app loads: a bad option or import fails."""
    assert argv == ["python", "-m", "api.serve"]
    code = (
        "from granian.cli import cli\n"
        "from api import serve\n"
        "params = cli.make_context('granian', serve.options()).params\n"
        "assert params['interface'].value == 'wsgi' and params['respawn_failed_workers'], params\n"
        "module, _, name = serve.TARGET.partition(':')\n"
        "assert callable(getattr(__import__(module, fromlist=[name]), name))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**os.environ, **env, "PYTHONPATH": str(ROOT), "ML_MODEL_DIR": str(ROOT / "var" / "no-models")},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_app_service_runs_a_procfile_process():
    processes = procfile()
    services = app_services()
    assert set(services) == {"ml-inference", "ml-worker", "ml-trainer", "ml-beat", "flower"}
    for name, service in services.items():
        (process,) = service["command"]
        assert process in processes, f"{name}: command {process!r} is not a Procfile process"
    # Each Procfile process runs in production, beat and the trainer included.
    assert {service["command"][0] for service in services.values()} == set(processes)


def test_images_default_to_procfile_processes():
    commands = dockerfile_instructions("CMD")
    assert commands == ['["trainer"]', '["api"]']
    assert dockerfile_instructions("ENTRYPOINT") == ['["/app/deploy/entrypoint.sh"]']


@pytest.mark.parametrize("service_name", ["ml-inference", "ml-worker", "ml-trainer", "ml-beat", "flower"])
def test_container_command_is_a_valid_entry_point(service_name, tmp_path):
    service = app_services()[service_name]
    env = container_env(service)
    argv = run_entrypoint(service["command"], env, tmp_path)
    expected = shlex.split(procfile()[service["command"][0]])
    assert len(argv) == len(expected), f"{argv} is not the Procfile's {expected}"
    argv = unwrap_readiness(argv)
    if argv[:3] == ["python", "-m", "api.serve"]:
        check_gateway(argv, env)
        return
    command, params = parse_celery(argv)
    if command == "worker":
        assert params["queues"] == {"ml-worker": ["predict", "batch"], "ml-trainer": ["training"]}[service_name]
    elif command == "beat":
        assert params["schedule"] == env["BEAT_SCHEDULE_FILE"]
    else:
        assert command == "flower"
        check_flower_options(params["tornado_argv"])
        # Every $VARIABLE of the Procfile line had a value in the container: nothing is empty.
        assert all(not arg.endswith("=") for arg in params["tornado_argv"]), params["tornado_argv"]


def test_entrypoint_runs_other_commands_as_given(tmp_path):
    argv = run_entrypoint(["celery", "--app", "workers.celery_app", "status"], {}, tmp_path)
    assert argv == ["celery", "--app", "workers.celery_app", "status"]


def test_entrypoint_fills_variables_of_the_procfile_line(tmp_path):
    argv = run_entrypoint(["beat"], {"BEAT_SCHEDULE_FILE": "/state dir/schedule"}, tmp_path)
    assert argv[argv.index("--schedule") + 1] == "/state dir/schedule"


@pytest.mark.parametrize(("service_name", "queue"), [("ml-worker", "scoring"), ("ml-trainer", "training")])
def test_worker_healthcheck_reads_its_own_workers_liveness_file(service_name, queue, tmp_path, monkeypatch):
    """The check passes while the file of the worker's own node is fresh, and asks nothing of Redis."""
    service = app_services()[service_name]
    test = service["healthcheck"]["test"]
    assert test[0] == "CMD", "healthchecks use the exec form"
    # The Procfile names the worker `<queue>@%h` in a container; %h is the container's hostname.
    worker_argv = run_entrypoint(service["command"], container_env(service), tmp_path)
    assert worker_argv[worker_argv.index("--hostname") + 1] == f"{queue}@%h"
    env = {
        **container_env(service),
        "HOSTNAME": "c0ffee",
        "TMPDIR": str(tmp_path),
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}/usr/bin:/bin",
        "PYTHONPATH": str(ROOT),
        "REDIS_URL": "redis://127.0.0.1:9/0",  # nothing answers there: the check must not need it
    }

    def check() -> subprocess.CompletedProcess[str]:
        return subprocess.run(test[1:], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=30, check=False)

    assert check().returncode == 1  # no file yet
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    alive = liveness.path_for(f"{queue}@c0ffee")
    alive.parent.mkdir(parents=True)
    alive.touch()
    result = check()
    assert result.returncode == 0, result.stderr
    stale = time.time() - liveness.STALE_AFTER_S - 5
    os.utime(alive, (stale, stale))
    assert check().returncode == 1
    liveness.path_for(f"{queue}@another").touch()  # another worker's file says nothing about this one
    assert check().returncode == 1


def test_trainer_image_healthcheck_matches_the_stack():
    (trainer_check, inference_check) = dockerfile_instructions("HEALTHCHECK")
    services = app_services()
    assert trainer_check.endswith(_exec_form(services["ml-trainer"]["healthcheck"]["test"]))
    assert inference_check.endswith(_exec_form(services["ml-inference"]["healthcheck"]["test"]))


def _exec_form(test: list[str]) -> str:
    return "CMD " + json.dumps(test[1:])


class _Liveness(http.server.BaseHTTPRequestHandler):
    status = 200

    def do_GET(self):
        self.send_response(self.status if self.path == "/livez" else 404)
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


@pytest.mark.parametrize(("status", "healthy"), [(200, True), (500, False), (None, False)])
def test_gateway_healthcheck(status, healthy):
    """The gateway's liveness, /livez: 200 passes; an error and a refused connection fail."""
    test = app_services()["ml-inference"]["healthcheck"]["test"]
    handler = type("Handler", (_Liveness,), {"status": status or 200})
    with http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler) as server:
        port = server.server_address[1]
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        if status is not None:
            thread.start()
        else:
            server.socket.close()
        argv = [sys.executable if arg == "python" else arg for arg in test[1:]]
        result = subprocess.run(argv, env={"API_PORT": str(port)}, capture_output=True, timeout=30, check=False)
        if status is not None:
            server.shutdown()
    assert (result.returncode == 0) is healthy, result.stderr


def test_flower_healthcheck_checks_flower_port():
    service = app_services()["flower"]
    (code,) = service["healthcheck"]["test"][3:]
    compile(code, "healthcheck", "exec")
    assert "('127.0.0.1', int(os.environ.get('FLOWER_PORT', '5555')))" in code
    assert container_env(service)["FLOWER_PORT"] == "5555"


def test_weave_ml_invocations_of_the_deploy_script_parse():
    """deploy.sh calls `weave-ml` inside the trainer: each call must be a valid CLI command."""
    calls = [
        line.split("weave-ml", 1)[1].split(")")[0].strip().strip('"')
        for line in (ROOT / "deploy" / "deploy.sh").read_text().splitlines()
        if "docker exec" in line and "weave-ml" in line
    ]
    assert len(calls) == 2
    for call in calls:
        build_parser().parse_args(shlex.split(call))


def test_gateway_port_is_the_published_one():
    service = app_services()["ml-inference"]
    (port,) = service["ports"]
    assert int(port["target"]) == int(container_env(service)["API_PORT"]) == 8000
    assert env_example()["PHISHING_ML_INFERENCE_URL"] == "http://ml-inference:8000"


@pytest.mark.parametrize(
    "change",
    [("--queues", "--queue-names"), ("solo", "single"), ("INFO", "LOUD")],
    ids=["unknown option", "unknown pool", "unknown level"],
)
def test_celery_parser_rejects_a_wrong_worker_command(change):
    """The check above is no formality: a typo in a Procfile line fails it."""
    argv = shlex.split(procfile()["worker"].replace(*change))
    with pytest.raises(click.UsageError):
        parse_celery(argv)


def test_a_wrong_gateway_option_is_rejected_by_granian():
    """The check above is no formality: an option granian does not have fails it."""
    from granian.cli import cli

    from api import serve

    with pytest.raises(click.UsageError):
        cli.make_context("granian", [*serve.options()[:-1], "--threads", "4", serve.TARGET])

"""The Procfile reader that make run, the tests and the benchmarks start every process from."""

import os
import subprocess

import pytest

from devstack import procfile


def test_the_procfile_names_every_process_of_the_stack_in_order():
    assert list(procfile.processes()) == ["api", "worker", "trainer", "beat", "flower"]
    assert procfile.processes()["api"] == "python -m api.serve"


def test_a_line_that_is_not_name_colon_command_is_refused_with_its_number(tmp_path):
    path = tmp_path / "Procfile"
    path.write_text("# the stack\napi: python -m api.serve\n\nworker celery worker\n")
    with pytest.raises(ValueError, match=r"Procfile:4: not a 'name: command' line"):
        procfile.processes(path)


@pytest.mark.parametrize(("variables", "expected"), [({}, "scoring@%h 5555"), ({"WORKER_NAME": "s2"}, "s2@%h 5555")])
def test_a_line_runs_with_the_environment_filling_its_variables_and_their_defaults(variables, expected):
    argv = procfile.shell('echo "${WORKER_NAME:-scoring}@%h" "$FLOWER_PORT"')
    env = {"PATH": os.environ["PATH"], "FLOWER_PORT": "5555", **variables}
    assert subprocess.run(argv, env=env, capture_output=True, text=True, check=True).stdout == f"{expected}\n"

"""The production topology end to end: both images, every application service, as the stack file runs them.

The tests share one topology (starting it takes a minute) and run in file order: the last one kills a worker.
"""

from __future__ import annotations

import pytest

from devstack.demo_reports import seed
from tests.containers.conftest import APP_SERVICES, Topology, docker, wait_for

# Redis and MongoDB run as host processes beside the containers' workers. Training twice (the first model, then the
# retrain) on a shared 2-core machine can take minutes under load.
pytestmark = [pytest.mark.integration, pytest.mark.timeout(900)]

APP_UID = "10001"
# What a container must never log: a write refused in the read-only code folder or root (matplotlib's
# cache), a missing module (time-zone data) or any other crash.
FORBIDDEN_IN_LOGS = ("Permission denied", "Read-only file system", "ModuleNotFoundError", "Traceback", "No time zone")


def _healthy(stack: Topology) -> dict:
    answer = stack.get("/health")
    return answer.json() if answer.status_code == 200 and answer.json()["status"] == "healthy" else {}


def test_every_container_passes_its_health_check(topology: Topology):
    states = {name: topology.health(name) for name in topology.all_containers()}
    assert set(topology.containers) == set(APP_SERVICES)
    # Beat's service disables its check (it has no control channel); every other one runs the stack's own check.
    expected = {name: "none" if "ml-beat" in name else "healthy" for name in states}
    assert states == expected


def test_health_is_healthy_with_the_first_model_and_both_workers(topology: Topology):
    # The workers load the first model by themselves once the trainer's `weave-ml train` moved the pointer.
    def serving() -> dict:
        health = _healthy(topology)
        return health if health and health["model_loaded"] else {}

    health = wait_for(serving, 120, "/health healthy, the workers serving the first model")
    assert health["broker"] == health["cache"] == "ok"
    # Every process that serves a model says so: both scoring workers and the trainer's pool processes, each under
    # its container's hostname. Both scoring workers are PID 1 of their containers: the hostname tells them apart.
    hostnames = [worker["hostname"] for worker in health["workers"]]
    assert set(hostnames) == {*topology.containers["ml-worker"], *topology.containers["ml-trainer"]}
    assert sorted(name for name in hostnames if "ml-worker" in name) == topology.containers["ml-worker"]
    assert health["serving_versions"] == [health["model_version"]]


def test_predict_and_a_batch_of_2000_messages(topology: Topology):
    answer = topology.post("/predict", {"message": "[국외발신] 택배 주소 확인 bit.ly/3xYzAb 보관중 반송 예정"})
    assert answer.status_code == 200, answer.text
    assert answer.json()["is_phishing"] is True
    text = "내일 {}시에 회의실에서 봬요, 자료 {}쪽 확인 부탁드려요"
    messages = [{"id": str(n), "message": text.format(n, n)} for n in range(2000)]
    created = topology.post("/predict/batch", {"messages": messages})
    assert created.status_code == 202, created.text
    status_path = f"/predict/batch/{created.json()['batch_id']}"

    def finished() -> dict:
        status = topology.get(status_path).json()
        return status if status["status"] in {"done", "failed"} else {}

    status = wait_for(finished, 120, "the batch of 2000")
    assert (status["status"], status["done"], status["failed"]) == ("done", 2000, 0)
    assert [item["id"] for item in status["results"]] == [str(n) for n in range(2000)]
    assert not any(item["is_phishing"] for item in status["results"])


def test_runs_as_the_app_user_writing_only_to_its_volumes(topology: Topology):
    for service, replicas in topology.containers.items():
        container = replicas[0]
        assert topology.exec(container, "id", "-u").stdout.strip() == APP_UID, container
        for path in ("/app/written", "/written", "/var/tmp/written", "/opt/venv/written"):
            assert topology.exec(container, "touch", path).returncode != 0, f"{container} could write {path}"
        assert topology.exec(container, "touch", "/tmp/written").returncode == 0, container
        mounts = {mount["Destination"]: mount["RW"] for mount in topology.inspect(container)["Mounts"]}
        if service in {"ml-inference", "ml-worker"}:
            assert mounts["/app/models"] is False, container
            assert topology.exec(container, "touch", "/app/models/written").returncode != 0, container
        elif service == "ml-trainer":
            assert mounts["/app/models"] is True
            assert topology.exec(container, "touch", "/app/models/.written").returncode == 0
            topology.exec(container, "rm", "/app/models/.written")


def test_logs_hold_no_refused_write_and_no_crash(topology: Topology):
    for container in topology.all_containers():
        log = topology.logs(container)
        found = [text for text in FORBIDDEN_IN_LOGS if text in log]
        assert not found, f"{container}: {found}\n{log[-4000:]}"


def test_the_trainer_publishes_a_model_and_the_workers_reload_it(topology: Topology):
    first = _healthy(topology)["model_version"]
    seed(topology.mongo.uri("weave"), "phishing_reports")
    started = topology.post("/admin/retrain", headers=topology.admin())
    assert started.status_code == 202, started.text
    status_path = f"/admin/retrain/{started.json()['task_id']}"

    def finished() -> dict:
        status = topology.get(status_path, headers=topology.admin()).json()
        return status if status["state"] in {"SUCCESS", "FAILURE"} else {}

    status = wait_for(finished, 300, "the retrain")
    assert status["state"] == "SUCCESS", status
    assert status["result"]["decision"] == "published", status["result"]
    new = status["result"]["version"]
    assert new != first

    def serving_new() -> dict:
        health = _healthy(topology)
        return health if health and health["serving_versions"] == [new] else {}

    health = wait_for(serving_new, 60, f"both workers serving {new}")
    assert health["model_version"] == new
    answer = topology.post("/predict", {"message": "이번 주 금요일 저녁 약속 장소 다시 알려줘"})
    assert answer.status_code == 200, answer.text
    assert answer.json()["model_version"] == new


def test_rollback_through_the_trainer_with_the_gateways_volume_read_only(topology: Topology):
    (gateway,) = topology.containers["ml-inference"]
    mounts = {mount["Destination"]: mount["RW"] for mount in topology.inspect(gateway)["Mounts"]}
    assert mounts["/app/models"] is False
    current = _healthy(topology)["model_version"]
    answer = topology.post("/admin/rollback", {}, headers=topology.admin())
    assert answer.status_code == 200, answer.text
    back = answer.json()["current_version"]
    assert back != current
    assert answer.json()["previous_version"] == current

    def serving_back() -> dict:
        health = _healthy(topology)
        return health if health and health["serving_versions"] == [back] else {}

    health = wait_for(serving_back, 60, f"both workers back on {back}")
    assert health["model_version"] == back


def test_a_worker_killed_mid_batch_loses_nothing(topology: Topology):
    total = 10_000
    messages = [{"message": f"택배 {n}번 조회 결과 안내드립니다 주문번호 {n * 7919}"} for n in range(total)]
    created = topology.post("/predict/batch", {"messages": messages})
    assert created.status_code == 202, created.text
    status_path = f"/predict/batch/{created.json()['batch_id']}"

    def under_way() -> dict:
        status = topology.get(status_path).json()
        return status if status["done"] > 0 else {}

    started = wait_for(under_way, 60, "the batch under way")
    victim = topology.containers["ml-worker"][0]
    docker("kill", victim)
    at_kill = topology.get(status_path).json()
    if at_kill["done"] == total:
        pytest.fail(f"the batch finished before the kill ({started['done']} done when seen running): make it larger")

    def finished() -> dict:
        status = topology.get(status_path).json()
        return status if status["status"] in {"done", "failed"} else {}

    status = wait_for(finished, 180, "the batch after the kill")
    assert (status["status"], status["done"], status["failed"]) == ("done", total, 0), at_kill
    assert [item["index"] for item in status["results"]] == list(range(total))

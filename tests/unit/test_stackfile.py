"""The stack file's services as `docker run` commands: what tests/containers runs is what the stack deploys."""

import pytest

from devstack import stackfile

VARIABLES = {
    "ML_INFERENCE_IMAGE": "inference:t",
    "ML_TRAINER_IMAGE": "trainer:t",
    "REDIS_PASSWORD": "pw",
    "MONGODB_URI": "mongodb://db:27017/weave",
    "WEAVE_API_KEY": "key",
    "WEAVE_SECRET_KEYS": "a-secret-of-thirty-two-characters-or-more",
    "FLOWER_BASIC_AUTH": "ops:pw",
}
VOLUMES = {"ml_models": "run-models", "flower_data": "run-flower", "redis_broker_data": "run-redis"}
# The stack's Redis addresses are service names; on host networking each is a loopback port.
ADDRESSES = {
    "REDIS_URL": "redis://127.0.0.1:1/0",
    "CACHE_REDIS_URL": "redis://127.0.0.1:1/1",
    "STATE_REDIS_URL": "redis://127.0.0.1:1/2",
}


def run(service: str, replace_env: dict[str, str] | None = None, **options) -> list[str]:
    return stackfile.docker_run(
        service,
        stackfile.read(VARIABLES),
        container="c1",
        volume_names=VOLUMES,
        replace_env={**ADDRESSES, **(replace_env or {})},
        **options,
    )


def option_values(argv: list[str], option: str) -> list[str]:
    return [argv[i + 1] for i, word in enumerate(argv) if word == option]


@pytest.mark.parametrize(
    ("service", "mount"),
    [
        ("ml-inference", "type=volume,src=run-models,dst=/app/models,readonly"),
        ("ml-worker", "type=volume,src=run-models,dst=/app/models,readonly"),
        ("ml-trainer", "type=volume,src=run-models,dst=/app/models"),
    ],
)
def test_only_the_trainer_mounts_the_model_volume_read_write(service, mount):
    argv = run(service)
    assert mount in option_values(argv, "--mount")
    assert "type=tmpfs,dst=/tmp" in option_values(argv, "--mount")
    assert "--read-only" in argv


def test_host_networking_with_a_hostname_of_its_own_and_the_stacks_command_last():
    argv = run("ml-worker")
    assert argv[:8] == ["run", "--detach", "--name", "c1", "--hostname", "c1", "--network", "host"]
    assert argv[-2:] == ["inference:t", "worker"]


def test_environment_is_the_services_own_with_only_its_addresses_replaced():
    argv = run(
        "ml-worker",
        replace_env={"REDIS_URL": "redis://127.0.0.1:9/0", "MONGODB_URI": "mongodb://127.0.0.1:2/weave"},
        loopback_env={"FLOWER_ADDRESS": "127.0.0.1"},
    )
    env = dict(value.split("=", 1) for value in option_values(argv, "--env"))
    assert env["REDIS_URL"] == "redis://127.0.0.1:9/0"
    assert env["LOG_FORMAT"] == "json"
    # The worker has no MongoDB in the stack, so it gets none here either.
    assert "MONGODB_URI" not in env
    assert env["FLOWER_ADDRESS"] == "127.0.0.1"


@pytest.mark.parametrize("service", ["ml-inference", "ml-worker", "ml-trainer", "ml-beat"])
def test_an_address_left_as_a_service_name_is_refused_at_translation(service):
    """On host networking `redis-cache` resolves nowhere: a process would fail at its first use, minutes later."""
    with pytest.raises(ValueError, match="STATE_REDIS_URL names the stack's 'redis-cache'"):
        stackfile.docker_run(
            service,
            stackfile.read(VARIABLES),
            container="c1",
            volume_names=VOLUMES,
            replace_env={key: value for key, value in ADDRESSES.items() if key != "STATE_REDIS_URL"},
        )


def test_healthcheck_is_the_stacks_command_with_its_timings():
    argv = run("ml-trainer")
    (command,) = option_values(argv, "--health-cmd")
    assert command == "sh -c 'exec python -m workers.liveness \"training@$HOSTNAME\"'"
    assert option_values(argv, "--health-interval") == ["60s"]
    assert option_values(argv, "--health-timeout") == ["20s"]
    assert option_values(argv, "--health-retries") == ["5"]
    assert option_values(run("ml-trainer", health_interval_s=2), "--health-interval") == ["2s"]
    assert "--no-healthcheck" in run("ml-beat")


def test_a_key_that_is_not_translated_is_refused():
    stack = stackfile.read(VARIABLES)
    stack["services"]["ml-worker"]["cap_add"] = ["NET_ADMIN"]
    with pytest.raises(ValueError, match="cap_add"):
        stackfile.docker_run("ml-worker", stack, container="c1", volume_names=VOLUMES)


@pytest.mark.parametrize(("text", "seconds"), [("15s", 15), ("1m30s", 90), ("500ms", 0.5), ("2h", 7200)])
def test_durations(text, seconds):
    assert stackfile._duration_s(text) == seconds

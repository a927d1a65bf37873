from pathlib import Path

import pytest

from devstack import ROOT
from weave_ml.settings import VARIABLES, ConfigError, Settings, from_env


def test_defaults_follow_the_design():
    settings = from_env({})
    assert settings == Settings()
    assert settings.mongo_collection == "phishing_reports"
    assert settings.model_dir == Path("/app/models")
    assert (settings.retrain_days, settings.auto_deploy, settings.run_mode) == (30, True, "cron")
    assert settings.cron_schedule == "0 2 * * 0"
    assert settings.cache_url == settings.redis_url


def test_values_are_parsed():
    settings = from_env(
        {
            "REDIS_URL": "redis://:secret@redis:6379/0",
            "CACHE_REDIS_URL": "redis://cache:6379/2",
            "ML_RETRAIN_DAYS": "7",
            "ML_AUTO_DEPLOY": "false",
            "ML_RUN_MODE": "once",
            "PREDICT_TIMEOUT_S": "2.5",
            "ML_MODEL_DIR": "/tmp/models",
            "WEAVE_API_KEY": "",
            "ML_RETRAIN_MAX_PER_LABEL": "1000",
            "ML_RETRAIN_READ_TIME_LIMIT_S": "2.5",
        }
    )
    assert (settings.retrain_max_per_label, settings.retrain_read_time_limit_s) == (1000, 2.5)
    assert settings.cache_url == "redis://cache:6379/2"
    assert (settings.retrain_days, settings.auto_deploy, settings.run_mode) == (7, False, "once")
    assert settings.predict_timeout_s == 2.5 and settings.model_dir == Path("/tmp/models")
    assert settings.api_key is None


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("ML_RETRAIN_DAYS", "thirty"),
        ("ML_RETRAIN_DAYS", "0"),
        ("ML_RETRAIN_MAX_READ", "0"),
        ("ML_RETRAIN_READ_TIME_LIMIT_S", "soon"),
        ("ML_AUTO_DEPLOY", "maybe"),
        ("ML_RUN_MODE", "daily"),
        ("PREDICT_TIMEOUT_S", "-1"),
        ("FLOWER_BASIC_AUTH", "admin"),
        ("LOG_FORMAT", "xml"),
    ],
)
def test_a_bad_value_names_the_variable(variable, value):
    with pytest.raises(ConfigError, match=variable):
        from_env({variable: value})


def test_every_variable_is_in_the_readme_configuration_table():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Configuration") :]
    first_cells = " ".join(line.split("|")[1] for line in section.splitlines() if line.startswith("| `"))
    missing = [name for name in VARIABLES if f"`{name}`" not in first_cells]
    assert not missing, f"not documented in README's Configuration: {missing}"

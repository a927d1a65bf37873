import dataclasses
import re
from pathlib import Path

import pytest

from weave_ml.settings import VARIABLES, ConfigError, Parser, Settings, from_env, reference


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


def test_every_setting_is_declared_once_with_its_variable_and_meaning():
    declared = dataclasses.fields(Settings)
    assert [variable.attribute for variable in VARIABLES.values()] == [field.name for field in declared]
    assert len(VARIABLES) == len(declared)  # no two fields share a variable
    for variable in VARIABLES.values():
        assert re.fullmatch(r"[A-Z][A-Z0-9_]*", variable.env), variable.attribute
        assert isinstance(variable.parse, Parser), variable.env
        assert variable.help.strip() and variable.group.strip(), variable.env


@pytest.mark.parametrize("variable", VARIABLES.values(), ids=VARIABLES)
def test_every_default_is_a_value_its_parser_accepts(variable):
    if variable.default in (None, "", ()):
        return
    assert getattr(from_env({variable.env: str(variable.default)}), variable.attribute) == variable.default


# Free text and paths accept anything; every other parser refuses this.
FREE_TEXT = {"text", "a path"}


@pytest.mark.parametrize(
    "variable", [v for v in VARIABLES.values() if v.parse.accepts not in FREE_TEXT], ids=lambda variable: variable.env
)
def test_every_parser_refuses_a_bad_value_naming_the_variable(variable):
    with pytest.raises(ConfigError, match=rf"^{variable.env}='bad:' is not valid: "):
        from_env({variable.env: "bad:"})


def test_an_empty_variable_leaves_the_default():
    assert from_env(dict.fromkeys(VARIABLES, "")) == Settings()


def test_the_reference_lists_every_variable_with_its_default_under_its_group():
    page = reference()
    for variable in VARIABLES.values():
        row = next(line for line in page.splitlines() if line.startswith(f"| `{variable.env}` |"))
        assert row.split(" | ")[1] == variable.default_text
        assert page.index(f"## {variable.group}\n") < page.index(row)
    assert len(re.findall(r"^\| `", page, re.MULTILINE)) == len(VARIABLES)

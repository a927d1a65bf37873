import os
import subprocess
import sys

import pytest

import beat_schedule
from devstack import ROOT
from weave_ml.settings import ConfigError, Settings


def test_cron_mode_schedules_the_retrain_on_the_standard_five_fields_with_an_expiry():
    schedule = beat_schedule.build(Settings(run_mode="cron", cron_schedule="30 3 1-7 * 1"))
    entry = schedule["retrain"]
    assert entry["task"] == "weave.retrain"
    assert entry["options"]["expires"] == beat_schedule.RETRAIN_EXPIRES_S
    cron = entry["schedule"]
    # Standard order is minute, hour, day of month, month, day of week; celery's crontab takes another.
    assert cron.minute == {30} and cron.hour == {3}
    assert cron.day_of_month == set(range(1, 8)) and cron.day_of_week == {1}
    assert cron.month_of_year == set(range(1, 13))


def test_the_default_is_sunday_at_two():
    cron = beat_schedule.build(Settings())["retrain"]["schedule"]
    assert (cron.minute, cron.hour, cron.day_of_week) == ({0}, {2}, {0})


@pytest.mark.parametrize(
    "expression",
    [
        "0 2 * *",
        "0 2 * * 0 0",
        "",
        "61 2 * * 0",
        "0 24 * * 0",
        "0 2 32 * *",
        "0 2 * 13 *",
        "0 2 * * 8",
        "*/0 * * * *",
        "every sunday",
    ],
)
def test_a_bad_schedule_names_the_variable(expression):
    with pytest.raises(ConfigError, match="ML_CRON_SCHEDULE"):
        beat_schedule.build(Settings(run_mode="cron", cron_schedule=expression))


def test_time_zones_need_no_zone_files_of_the_system():
    """The images' minimal Debian base has no /usr/share/zoneinfo: Celery's time zones come from the tzdata wheel.

    An empty PYTHONTZPATH makes zoneinfo ignore the system's files, as in such an image; the gateway's workers
    died importing the app there (`No time zone found with key UTC`).
    """
    code = "from api.metrics import schedule_period_s; from weave_ml.settings import Settings; "
    code += "print(schedule_period_s(Settings(run_mode='cron', cron_schedule='0 2 * * 0')))"
    env = {**os.environ, "PYTHONTZPATH": ""}
    done = subprocess.run(
        [sys.executable, "-c", code], check=False, env=env, cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert float(done.stdout) == 7 * 24 * 3600


def test_once_mode_schedules_no_periodic_retrain_only_the_rollout_check_and_the_campaign_templates():
    schedule = beat_schedule.build(Settings(run_mode="once", cron_schedule="not checked", rollout_check_interval_s=7))
    assert sorted(schedule) == ["campaign-examples", "rollout-check"]
    assert schedule["rollout-check"]["task"] == "weave.rollout_check" and schedule["rollout-check"]["schedule"] == 7


def test_verdicts_are_swept_into_campaigns_and_reputation_only_with_reports_to_read():
    entry = beat_schedule.build(Settings(mongodb_uri="mongodb://m/weave", campaign_reports_interval_s=10))
    assert entry["campaign-reports"]["task"] == "weave.campaign_reports"
    assert entry["campaign-reports"]["schedule"] == 10 and entry["campaign-reports"]["options"]["expires"] == 10
    assert "campaign-reports" not in beat_schedule.build(Settings())
    mongo = "mongodb://m/weave"
    assert "campaign-reports" in beat_schedule.build(Settings(mongodb_uri=mongo, campaigns=False))  # reputation's
    assert "campaign-reports" not in beat_schedule.build(Settings(mongodb_uri=mongo, campaigns=False, reputation=False))


def test_phishing_templates_are_kept_for_the_retrain_unless_campaigns_or_their_weight_are_off():
    entry = beat_schedule.build(Settings(campaign_examples_interval_s=60))["campaign-examples"]
    assert entry["task"] == "weave.campaign_examples"
    assert entry["schedule"] == 60 and entry["options"]["expires"] == 60
    assert "campaign-examples" not in beat_schedule.build(Settings(campaigns=False))
    assert "campaign-examples" not in beat_schedule.build(Settings(campaign_examples_weight=0))


def test_every_entry_waits_for_a_lost_broker_instead_of_being_dropped_with_an_error():
    settings = Settings(run_mode="cron", mongodb_uri="mongodb://127.0.0.1:1/weave")
    schedule = beat_schedule.build(settings)
    assert {"retrain", "rollout-check", "campaign-reports", "campaign-examples"} <= set(schedule)
    for name, entry in schedule.items():
        assert entry["options"]["retry"] is True, name
        assert entry["options"]["retry_policy"]["max_retries"] is None, name
        assert entry["options"]["expires"] > 0, name

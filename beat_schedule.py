"""Celery beat's schedule: the retrain on ML_CRON_SCHEDULE (ML_RUN_MODE=cron), or once right after start (once); the
rollout check every ROLLOUT_CHECK_INTERVAL_S in both modes."""

from __future__ import annotations

from typing import Any

from celery.schedules import crontab
from celery.signals import beat_init

from weave_ml.names import CAMPAIGN_EXAMPLES_TASK, CAMPAIGN_REPORTS_TASK, RETRAIN_TASK, ROLLOUT_CHECK_TASK
from weave_ml.settings import ConfigError, Settings, get_settings

# A retrain not started this long after its time is dropped, so runs missed while the trainer was down do
# not pile up: the next scheduled one takes their place.
RETRAIN_EXPIRES_S = 6 * 3600
# A task due while the broker is down is sent once it is back instead of being dropped with an error: beat has
# nothing else to do meanwhile, and each task's expiry still bounds how late it may start. Every entry sends so.
HELD_UNTIL_SENT = {
    "retry": True,
    "retry_policy": {"max_retries": None, "interval_start": 1, "interval_step": 2, "interval_max": 30},
}
RETRAIN_SEND = {"expires": RETRAIN_EXPIRES_S, **HELD_UNTIL_SENT}
# The standard crontab order; celery's crontab() takes its arguments in another one.
CRON_FIELDS = ("minute", "hour", "day_of_month", "month_of_year", "day_of_week")


def crontab_from(expression: str) -> crontab:
    """Return the schedule of a five-field crontab expression, raising :class:`ConfigError` naming the variable."""
    fields = expression.split()
    if len(fields) != len(CRON_FIELDS):
        raise ConfigError(
            f"ML_CRON_SCHEDULE={expression!r} is not valid: expected five fields "
            "(minute hour day-of-month month day-of-week), e.g. '0 2 * * 0'"
        )
    try:
        return crontab(**dict(zip(CRON_FIELDS, fields, strict=True)))
    except ValueError as exc:
        raise ConfigError(f"ML_CRON_SCHEDULE={expression!r} is not valid: {exc}") from None


def build(settings: Settings) -> dict[str, Any]:
    """Return beat's schedule: the retrain on its crontab in cron mode (none in once mode), and the rollout check."""
    schedule: dict[str, Any] = {
        # A check not taken before the next one is due is dropped: only the newest evidence matters.
        "rollout-check": {
            "task": ROLLOUT_CHECK_TASK,
            "schedule": settings.rollout_check_interval_s,
            "options": {"expires": settings.rollout_check_interval_s, **HELD_UNTIL_SENT},
        }
    }
    if settings.campaigns and settings.campaign_examples_weight > 0:
        # Well within a campaign's window, so a phishing campaign is seen alive at least once before it is forgotten.
        schedule["campaign-examples"] = {
            "task": CAMPAIGN_EXAMPLES_TASK,
            "schedule": settings.campaign_examples_interval_s,
            "options": {"expires": settings.campaign_examples_interval_s, **HELD_UNTIL_SENT},
        }
    if (settings.campaigns or settings.reputation) and settings.mongodb_uri:
        # Verdicts reach campaigns and reputation within this long; a sweep not taken before the next is due is
        # dropped (the next one reads from the same watermark).
        schedule["campaign-reports"] = {
            "task": CAMPAIGN_REPORTS_TASK,
            "schedule": settings.campaign_reports_interval_s,
            "options": {"expires": settings.campaign_reports_interval_s, **HELD_UNTIL_SENT},
        }
    if settings.run_mode != "cron":
        return schedule
    return {
        **schedule,
        "retrain": {
            "task": RETRAIN_TASK,
            "schedule": crontab_from(settings.cron_schedule),
            "kwargs": {"trigger": "schedule"},
            "options": RETRAIN_SEND,
        },
    }


@beat_init.connect
def _retrain_once_at_start(sender: Any = None, **_: object) -> None:
    if get_settings().run_mode == "once":
        sender.app.send_task(RETRAIN_TASK, kwargs={"trigger": "start"}, **RETRAIN_SEND)

"""Celery tasks of campaigns: sweep the verdicts written to MongoDB into the campaigns of their texts and the
reputation of what they hold; keep the templates of phishing campaigns for the retrain."""

from __future__ import annotations

from typing import Any

from celery import shared_task

from weave_ml.campaigns import examples
from weave_ml.campaigns.counting import CampaignCounter
from weave_ml.campaigns.store import CampaignStore
from weave_ml.connections import redis_client
from weave_ml.names import CAMPAIGN_EXAMPLES_TASK, CAMPAIGN_REPORTS_TASK
from weave_ml.settings import get_settings


@shared_task(name=CAMPAIGN_REPORTS_TASK, acks_late=False, ignore_result=True)
def sweep_campaign_reports() -> dict[str, Any]:
    """Label the campaigns of the reports written since the last sweep, and the domains and numbers they hold."""
    # Here, not at the top: beat and Flower import this module (task names) and never read MongoDB.
    from weave_ml.campaigns import verdicts as reports

    settings = get_settings()
    return reports.sweep(settings, CampaignCounter.from_settings(redis_client(settings.state_url), settings))


@shared_task(name=CAMPAIGN_EXAMPLES_TASK, acks_late=False, ignore_result=True)
def collect_campaign_examples() -> dict[str, Any]:
    """Keep the masked templates of the active phishing campaigns for as long as a retrain looks back."""
    settings = get_settings()
    with redis_client(settings.state_url) as client:
        return examples.collect(CampaignStore.from_settings(client, settings), keep_s=settings.retrain_days * 86400)

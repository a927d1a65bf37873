"""Campaign metrics read at scrape time: active campaigns by kind, the size of the largest ones, and the phishing
templates kept for the retrain."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from prometheus_client.core import GaugeMetricFamily

from weave_ml.campaigns import examples, policy
from weave_ml.campaigns.store import CampaignStore

# The largest campaigns get a series each (by id): enough to see a blast grow, few enough to bound the series.
LARGEST = 10
# Campaigns read per scrape; the active list is by last activity, so a long quiet tail is left out.
READ_AT_MOST = 500


def families(store: CampaignStore) -> Iterator[Any]:
    """Yield the campaign gauges (one ZRANGE, one pipeline of HMGETs and one ZCARD against Redis)."""
    found = store.active(READ_AT_MOST)
    active = GaugeMetricFamily(
        "weave_campaigns_active", "Campaigns with enough senders within the window", labels=["phishing"]
    )
    kinds = [policy.is_phishing(group, store.rules) for group in found]
    active.add_metric(["true"], sum(kinds))
    active.add_metric(["false"], len(kinds) - sum(kinds))
    yield active
    messages = GaugeMetricFamily(
        "weave_campaign_messages", "Messages of the largest active campaigns", labels=["campaign", "phishing"]
    )
    senders = GaugeMetricFamily(
        "weave_campaign_senders", "Distinct senders of the largest active campaigns", labels=["campaign", "phishing"]
    )
    for group, phishing in sorted(zip(found, kinds, strict=True), key=lambda pair: -pair[0].messages)[:LARGEST]:
        labels = [group.id, str(phishing).lower()]
        messages.add_metric(labels, group.messages)
        senders.add_metric(labels, group.senders)
    yield messages
    yield senders
    yield GaugeMetricFamily(
        "weave_campaign_templates_kept",
        "Masked templates of phishing campaigns kept as weak examples for the retrain",
        value=store.client.zcard(examples.KEY),
    )

"""Campaign metrics read at scrape time: active campaigns by kind, the size of every phishing campaign and of the
largest others, and the phishing templates kept for the retrain."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from prometheus_client.core import GaugeMetricFamily

from weave_ml.campaigns import examples, policy
from weave_ml.campaigns.store import CampaignStore

# Every phishing campaign gets a series of its own (by id), so the alert on a growing one sees them all; of the
# others (forwarded chat lines, shops' notices: many, and harmless) only the largest do, to bound the series.
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
        "weave_campaign_messages",
        "Messages of every active phishing campaign and of the largest others",
        labels=["campaign", "phishing"],
    )
    senders = GaugeMetricFamily(
        "weave_campaign_senders",
        "Distinct senders of every active phishing campaign and of the largest others",
        labels=["campaign", "phishing"],
    )
    pairs = list(zip(found, kinds, strict=True))
    largest_others = sorted((pair for pair in pairs if not pair[1]), key=lambda pair: -pair[0].messages)[:LARGEST]
    for group, phishing in [pair for pair in pairs if pair[1]] + largest_others:
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

"""Reputation metrics read at scrape time: the domains and numbers holding each verdict."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from prometheus_client.core import GaugeMetricFamily

from weave_ml.reputation.store import ReputationStore


def families(store: ReputationStore) -> Iterator[Any]:
    """Yield the entries gauge (one pipeline of three trims and three ZCARDs against Redis)."""
    entries = GaugeMetricFamily(
        "weave_reputation_entries", "Domains and numbers holding a verdict, by verdict", labels=["verdict"]
    )
    for verdict, count in store.judged_counts().items():
        entries.add_metric([verdict], count)
    yield entries

"""Reports flow to campaigns: verdicts the Java API writes to MongoDB label the campaigns of their texts.

Beat sends the sweep every CAMPAIGN_REPORTS_INTERVAL_S; it reads the reports written since the last sweep (a
watermark in Redis; at most ``MAX_PER_SWEEP``, oldest first, so a backlog is worked off in order) and labels the
campaign of each text a user or an admin judged (``user_feedback``, ``status``; a score given at report time is
no verdict). The next answer of any member follows. ``POST /admin/campaigns/report`` does the same at once for
a caller that reports through the gateway.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

import pymongo
from pymongo.errors import PyMongoError

from weave_ml.campaigns.counting import CampaignCounter
from weave_ml.campaigns.policy import NORMAL, PHISHING
from weave_ml.model.datasets import PHISHING as PHISHING_LABEL
from weave_ml.names import CAMPAIGN_PREFIX
from weave_ml.reports.mongo import ReportsUnavailable, hosts_of, label_of, reports_collection
from weave_ml.settings import Settings

log = logging.getLogger(__name__)

WATERMARK_KEY = f"{CAMPAIGN_PREFIX}:reports-read"  # the newest report timestamp a sweep has read (epoch seconds)
MAX_PER_SWEEP = 5000
VERDICT_SOURCES = ("user_feedback", "admin_status")


def sweep(settings: Settings, counter: CampaignCounter, now: dt.datetime | None = None) -> dict[str, Any]:
    """Label the campaigns of the reports written since the last sweep; return what was read and labelled."""
    if not settings.mongodb_uri:
        return {"read": 0, "labelled": 0, "skipped": "MONGODB_URI is not set"}
    client_redis = counter.store.client
    until = now or dt.datetime.now(dt.UTC)
    stored = client_redis.get(WATERMARK_KEY)
    # A first sweep looks back one window: older verdicts belong to campaigns that are gone.
    since = (
        dt.datetime.fromtimestamp(float(stored), dt.UTC)
        if stored
        else until - dt.timedelta(seconds=counter.store.window_s)
    )
    hosts = hosts_of(settings.mongodb_uri)
    read = labelled = 0
    newest = since
    try:
        with reports_collection(settings, "weave-ml-campaigns") as collection:
            cursor = collection.find(
                {"timestamp": {"$gt": since, "$lte": until}},
                projection={"_id": 0, "message": 1, "timestamp": 1, "user_feedback": 1, "status": 1},
                sort=[("timestamp", pymongo.ASCENDING)],
                limit=MAX_PER_SWEEP,
            )
            for report in cursor:
                read += 1
                stamp = report.get("timestamp")
                if isinstance(stamp, dt.datetime):
                    newest = max(newest, stamp if stamp.tzinfo else stamp.replace(tzinfo=dt.UTC))
                label, source = label_of(report)
                text = report.get("message")
                if label is None or source not in VERDICT_SOURCES or not isinstance(text, str) or not text.strip():
                    continue
                if counter.label(text, PHISHING if label == PHISHING_LABEL else NORMAL) is not None:
                    labelled += 1
    except PyMongoError as exc:
        raise ReportsUnavailable(f"MongoDB at {hosts} could not be read for campaigns: {type(exc).__name__}") from None
    finally:
        # What was read is done, even if the read stopped half-way: the next sweep goes on from there.
        client_redis.set(WATERMARK_KEY, newest.timestamp(), ex=max(counter.store.window_s, 3600))
    if labelled:
        log.info("campaigns: %d of %d new reports labelled a campaign", labelled, read)
    return {"read": read, "labelled": labelled}

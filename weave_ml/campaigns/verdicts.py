"""Reports flow to campaigns and reputation: verdicts the Java API writes to MongoDB label the campaigns of their texts
and are evidence on the domains and numbers the texts hold (weave_ml.reputation.verdicts).

Beat sends the sweep every CAMPAIGN_REPORTS_INTERVAL_S; it reads the reports inserted or updated since the last
sweep (weave_ml.reports.changes: a change stream where MongoDB has one, else ``updated_at`` with an overlap) and
records each verdict on the campaign of its text: an admin's ``status`` (verified, false_positive) as a final
verdict, a user's ``user_feedback`` as one user's report (by the report's ``reporter``; none is the anonymous
reporter). A score given at report time is no verdict. Recording a report twice changes nothing, so a report read
again is harmless. The next answer of any member, and of any text holding a domain or number the report marked,
follows. ``POST /admin/campaigns/report`` does the same at once for a caller that reports through the gateway.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from weave_ml.campaigns.counting import CampaignCounter
from weave_ml.campaigns.policy import ADMIN, NORMAL, PHISHING, USER
from weave_ml.model.datasets import PHISHING as PHISHING_LABEL
from weave_ml.reports import changes
from weave_ml.reports.changes import Report
from weave_ml.reports.labels import admin_label_of, reporter_of, user_label_of
from weave_ml.reputation import verdicts as reputation_verdicts
from weave_ml.settings import Settings

log = logging.getLogger(__name__)

READER = "campaigns"  # its checkpoints: weave:reports:campaigns:*


def sweep(
    settings: Settings, counter: CampaignCounter, now: dt.datetime | None = None, change_streams: bool = True
) -> dict[str, Any]:
    """Record the verdicts of the reports inserted or updated since the last sweep on their campaigns; return what
    was read and labelled."""
    if not settings.mongodb_uri:
        return {"read": 0, "labelled": 0, "skipped": "MONGODB_URI is not set"}
    found = changes.sweep(
        settings,
        counter.store.client,
        READER,
        lambda report: record(counter, report),
        # A first sweep looks back one window: older verdicts belong to campaigns that are gone.
        look_back_s=counter.store.window_s,
        change_streams=change_streams,
        now=now,
    )
    if found["used"]:
        log.info("%d of %d changed reports labelled a campaign or a domain or number", found["used"], found["read"])
    return {"read": found["read"], "labelled": found["used"], "mode": found["mode"]}


def record(counter: CampaignCounter, report: Report) -> bool:
    """Record one report's verdict (an admin's first) on the campaign of its text and on what the text holds; return
    whether it labelled anything."""
    labelled = counter.enabled and _label(counter, report)
    weighed = False
    if counter.reputation is not None and counter.memory is not None:
        weighed = reputation_verdicts.record(counter.reputation, report, counter.memory.verified())
    return labelled or weighed


def _label(counter: CampaignCounter, report: Report) -> bool:
    """Record one report's verdict on the campaign of its text; return whether it had one and a campaign."""
    text = report.get("message")
    if not isinstance(text, str) or not text.strip():
        return False
    label, source = admin_label_of(report), ADMIN
    if label is None:
        label, source = user_label_of(report), USER
    if label is None:
        return False
    verdict = PHISHING if label == PHISHING_LABEL else NORMAL
    return counter.label(text, verdict, source, reporter_of(report) if source == USER else None) is not None

"""Reports on texts become evidence on what the texts hold: their links' domains, call-back numbers, sender's number.

The campaign verdict sweep (weave_ml.campaigns.verdicts) hands every report the Java API inserts or updates to
:func:`record` as well: an admin's ``status`` (verified, false_positive) is an admin's verdict on the text, kept per
report so the same report read twice, or verified after it was filed pending, counts once with its latest verdict; a
user's ``user_feedback`` is that user's report (by the report's ``reporter``, keyed-hashed; none is the anonymous
reporter). A score given at report time is no verdict. Evidence from a text never marks what it holds that is
protected: official domains, hosts where anyone publishes, organisations' numbers, the operators' verified senders.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from weave_ml import keys
from weave_ml.model.datasets import PHISHING as PHISHING_LABEL
from weave_ml.reports.labels import admin_label_of, hashed_reporter, reporter_of, user_label_of
from weave_ml.reputation.policy import NORMAL, PHISHING, Entry
from weave_ml.reputation.store import BY_REPORT, BY_USER, ReputationStore
from weave_ml.reputation.subjects import Verified, of_message

Report = Mapping[str, Any]


def record(store: ReputationStore, report: Report, verified: Verified) -> bool:
    """Record one report's verdict (an admin's first) on what its text holds; return whether it had a verdict and
    held anything with a reputation."""
    text = report.get("message")
    if not isinstance(text, str) or not text.strip():
        return False
    label, who, by = admin_label_of(report), BY_REPORT, f"r:{report.get('_id', '')}"
    if label is None:
        label, who, by = user_label_of(report), BY_USER, hashed_reporter(reporter_of(report))
    if label is None:
        return False
    sender = report.get("sender")
    verdict = PHISHING if label == PHISHING_LABEL else NORMAL
    sender = sender if isinstance(sender, str) else None
    return bool(record_text(store, text, sender=sender, verdict=verdict, who=who, by=by, verified=verified))


def record_text(
    store: ReputationStore,
    text: str,
    *,
    sender: str | None,
    verdict: str,
    who: str,
    by: str,
    verified: Verified,
) -> dict[str, Entry]:
    """Record a verdict on a text (``who``: BY_REPORT, an admin's; BY_USER, a user's, ``by`` the hashed reporter)
    on what it holds; return their entries after it."""
    subjects = of_message(text, sender).protected_by(verified)
    return store.report(subjects.all(), verdict, who, by)


def text_key(text: str) -> str:
    """What names a reported text that has no report id (a report through the gateway): a keyed hash of it."""
    return "t:" + keys.current().digest("report", text.strip(), size=12)

"""A phishing report's label and reporter: how a report the weave Java API wrote in MongoDB is read.

Without a MongoDB client: the gateway reads reports' verdicts and reporters (campaigns, reputation) too.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from weave_ml import keys
from weave_ml.model.datasets import NORMAL, PHISHING

# A user's verdict in the app, in English or Korean (피싱: phishing, 오탐: false alarm, 정상: normal).
USER_FEEDBACK_LABELS = {
    "phishing": PHISHING,
    "smishing": PHISHING,
    "피싱": PHISHING,
    "스미싱": PHISHING,
    "false_positive": NORMAL,
    "not_phishing": NORMAL,
    "normal": NORMAL,
    "오탐": NORMAL,
    "정상": NORMAL,
}
ADMIN_STATUS_LABELS = {"verified": PHISHING, "false_positive": NORMAL}
# Scores given at report time that are trusted as labels; anything between is left out.
AUTO_PHISHING_FROM = 0.8
AUTO_NORMAL_UP_TO = 0.3
LABEL_SOURCES = ("user_feedback", "admin_status", "auto_label")


def label_of(report: Mapping[str, Any]) -> tuple[int | None, str]:
    """Return a report's label and where it came from, or ``None`` and why it is left out.

    An admin's status wins over the user's feedback (anyone can report anything; an admin's verdict is final), which
    wins over the score given at the time.
    """
    status = admin_label_of(report)
    if status is not None:
        return status, "admin_status"
    feedback = user_label_of(report)
    if feedback is not None:
        return feedback, "user_feedback"
    score = report.get("risk_score")
    if isinstance(score, int | float) and not isinstance(score, bool):
        if score >= AUTO_PHISHING_FROM:
            return PHISHING, "auto_label"
        if score <= AUTO_NORMAL_UP_TO:
            return NORMAL, "auto_label"
        return None, "uncertain_score"
    return None, "no_label"


def admin_label_of(report: Mapping[str, Any]) -> int | None:
    """Return the label an admin's status gives a report, whatever its user said, or ``None`` without one."""
    status = report.get("status")
    if isinstance(status, str):
        return ADMIN_STATUS_LABELS.get(status.strip().casefold())
    return None


def user_label_of(report: Mapping[str, Any]) -> int | None:
    """Return the label the user's feedback gives a report, or ``None`` without one."""
    feedback = report.get("user_feedback")
    if isinstance(feedback, str):
        return USER_FEEDBACK_LABELS.get(feedback.strip().casefold())
    return None


# Reports without a reporter are one reporter: the anonymous one.
ANONYMOUS = "anonymous"


def reporter_of(report: Mapping[str, Any]) -> str | None:
    """Return who filed a report (the app user's id, as the Java API writes it in ``reporter``), or None."""
    reporter = report.get("reporter")
    return str(reporter) if isinstance(reporter, str | int) and not isinstance(reporter, bool) else None


def hashed_reporter(reporter: str | None) -> str:
    """Return what is kept of a reporter (the app user's id, keyed-hashed), or the anonymous reporter."""
    reporter = (reporter or "").strip()
    return keys.current().digest("reporter", reporter, size=8) if reporter else ANONYMOUS

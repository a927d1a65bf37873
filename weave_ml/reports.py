"""Labelled training messages from the phishing reports the weave Java API writes to MongoDB."""

from __future__ import annotations

import collections
import datetime as dt
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import pymongo
from pymongo.errors import ConfigurationError, ConnectionFailure, OperationFailure, PyMongoError

from weave_ml.datasets import NORMAL, PHISHING, LabelledMessage
from weave_ml.settings import Settings
from weave_ml.text import normalise

log = logging.getLogger(__name__)

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
FIELDS = ("message", "sender", "timestamp", "status", "risk_score", "user_feedback")
DEFAULT_DATABASE = "weave"
# A MongoDB that does not answer fails the run within seconds instead of pymongo's default 30 s.
SERVER_TIMEOUT_MS = 3000


class ReportsUnavailable(RuntimeError):
    """MongoDB cannot be reached or refused the query; the message names the host, never the password."""


@dataclass(frozen=True)
class LabelledReports:
    """The reports of one window, labelled and deduplicated, with what was read and left out."""

    messages: list[LabelledMessage]
    window: dict[str, Any]
    counts: dict[str, Any]


def label_of(report: Mapping[str, Any]) -> tuple[int | None, str]:
    """Return a report's label and where it came from, or ``None`` and why it is left out.

    The user's feedback wins over an admin's status, which wins over the score given at the time.
    """
    feedback = report.get("user_feedback")
    if isinstance(feedback, str) and feedback.strip().casefold() in USER_FEEDBACK_LABELS:
        return USER_FEEDBACK_LABELS[feedback.strip().casefold()], "user_feedback"
    status = report.get("status")
    if isinstance(status, str) and status.strip().casefold() in ADMIN_STATUS_LABELS:
        return ADMIN_STATUS_LABELS[status.strip().casefold()], "admin_status"
    score = report.get("risk_score")
    if isinstance(score, int | float) and not isinstance(score, bool):
        if score >= AUTO_PHISHING_FROM:
            return PHISHING, "auto_label"
        if score <= AUTO_NORMAL_UP_TO:
            return NORMAL, "auto_label"
        return None, "uncertain_score"
    return None, "no_label"


def label_all(reports: Iterable[Mapping[str, Any]]) -> tuple[list[LabelledMessage], dict[str, Any]]:
    """Label reports given newest first, keeping one message per text (the newest label); return counts."""
    seen: set[str] = set()
    messages: list[LabelledMessage] = []
    by_source: collections.Counter[str] = collections.Counter(dict.fromkeys(LABEL_SOURCES, 0))
    left_out: collections.Counter[str] = collections.Counter()
    read = 0
    for report in reports:
        read += 1
        text = report.get("message")
        if not isinstance(text, str) or not text.strip():
            left_out["no_message"] += 1
            continue
        label, source = label_of(report)
        if label is None:
            left_out[source] += 1
            continue
        key = normalise(text)
        if key in seen:
            left_out["duplicate"] += 1
            continue
        seen.add(key)
        by_source[source] += 1
        sender = report.get("sender")
        messages.append(LabelledMessage(text, label, sender if isinstance(sender, str) else None, f"report:{source}"))
    counts = {
        "read": read,
        "labelled": len(messages),
        "phishing": sum(m.label for m in messages),
        "normal": sum(1 - m.label for m in messages),
        "by_label_source": dict(by_source),
        "left_out": dict(sorted(left_out.items())),
    }
    return messages, counts


def hosts_of(uri: str) -> str:
    """Return the host list of a MongoDB URI without user name or password."""
    return uri.partition("://")[2].rpartition("@")[2].split("/")[0].split("?")[0] or "(no host)"


def load_labelled(settings: Settings, now: dt.datetime | None = None) -> LabelledReports:
    """Read the last ``retrain_days`` days of reports and label them; raise :class:`ReportsUnavailable`."""
    if not settings.mongodb_uri:
        raise ReportsUnavailable("MONGODB_URI is not set: there are no reports to learn from")
    until = now or dt.datetime.now(dt.UTC)
    since = until - dt.timedelta(days=settings.retrain_days)
    hosts = hosts_of(settings.mongodb_uri)
    try:
        client: pymongo.MongoClient[dict[str, Any]] = pymongo.MongoClient(
            settings.mongodb_uri,
            serverSelectionTimeoutMS=SERVER_TIMEOUT_MS,
            connectTimeoutMS=SERVER_TIMEOUT_MS,
            socketTimeoutMS=60_000,
            appname="weave-ml-retrain",
            tz_aware=True,
        )
    except (ConfigurationError, ValueError) as exc:
        raise ReportsUnavailable(f"MONGODB_URI is not a usable MongoDB URI for {hosts}: {exc}") from None
    try:
        collection = client.get_default_database(DEFAULT_DATABASE)[settings.mongo_collection]
        _ensure_timestamp_index(collection)
        # Newest first, so the first labelled report of a text is the one whose label wins.
        cursor = collection.find(
            {"timestamp": {"$gte": since, "$lte": until}},
            projection={"_id": 0, **dict.fromkeys(FIELDS, 1)},
            sort=[("timestamp", pymongo.DESCENDING)],
        )
        messages, counts = label_all(cursor)
    except ConnectionFailure:
        raise ReportsUnavailable(
            f"MongoDB at {hosts} did not answer within {SERVER_TIMEOUT_MS / 1000:g} s (MONGODB_URI)"
        ) from None
    except PyMongoError as exc:
        reason = exc.details.get("errmsg", exc) if isinstance(exc, OperationFailure) and exc.details else exc
        raise ReportsUnavailable(f"MongoDB at {hosts} refused to read {settings.mongo_collection}: {reason}") from None
    finally:
        client.close()
    window = {
        "days": settings.retrain_days,
        "since": since.isoformat(timespec="seconds"),
        "until": until.isoformat(timespec="seconds"),
        "collection": settings.mongo_collection,
        "hosts": hosts,
    }
    return LabelledReports(messages, window, counts)


def _ensure_timestamp_index(collection: Any) -> None:
    # Ascending, unnamed: the index the Java API most likely created already, so this is a no-op there.
    try:
        collection.create_index([("timestamp", pymongo.ASCENDING)])
    except OperationFailure as exc:  # a read-only user may not create indexes; the query still runs
        log.warning("no index created on %s.timestamp: %s", collection.name, exc)

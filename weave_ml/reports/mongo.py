"""Labelled training messages from the phishing reports the weave Java API writes to MongoDB."""

from __future__ import annotations

import collections
import contextlib
import dataclasses
import datetime as dt
import hashlib
import logging
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import pymongo
from pymongo.errors import (
    ConfigurationError,
    ConnectionFailure,
    ExecutionTimeout,
    NetworkTimeout,
    OperationFailure,
    PyMongoError,
    ServerSelectionTimeoutError,
)

from weave_ml.model.datasets import NORMAL, PHISHING, LabelledMessage
from weave_ml.model.text import normalise
from weave_ml.reports.labels import LABEL_SOURCES, admin_label_of, label_of
from weave_ml.settings import Settings

log = logging.getLogger(__name__)

FIELDS = ("message", "sender", "timestamp", "status", "risk_score", "user_feedback")
DEFAULT_DATABASE = "weave"
# A MongoDB that does not answer fails the run within seconds instead of pymongo's default 30 s.
SERVER_TIMEOUT_MS = 3000
SOCKET_MARGIN_S = 30
# Reports fetched per round trip: large enough to stream a million reports quickly, small enough to stay a few MB.
BATCH_SIZE = 2000
# The window is read one slice of this length at a time, newest first (see _newest_first).
SLICE = dt.timedelta(days=1)
# Why reading stopped before the window's end (``ReportCounts.stopped_by``); ``None`` when everything was read.
STOPPED_FULL = "both_labels_full"
STOPPED_READ_LIMIT = "read_limit"
STOPPED_TIME_LIMIT = "time_limit"


class ReportsUnavailable(RuntimeError):
    """MongoDB cannot be reached or refused the query; the message names the host, never the password."""


@dataclass(frozen=True)
class Window:
    """The reports a read looked at: how far back, where, and within which bounds."""

    days: int
    since: str  # ISO 8601, to the second
    until: str
    collection: str
    hosts: str
    max_per_label: int
    max_read: int
    read_time_limit_s: float

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class ReportCounts:
    """What a read found: reports read, messages kept by label and label source, and reports left out and why."""

    read: int
    labelled: int
    phishing: int
    normal: int
    by_label_source: Mapping[str, int]  # every one of LABEL_SOURCES → messages it labelled
    left_out: Mapping[str, int]  # why ("duplicate", "no_label", "over_label_cap" ...) → reports
    admin_verified: int
    stopped_by: str | None  # one of the STOPPED_* reasons; None when the whole window was read

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class LabelledReports:
    """The reports of one window, labelled and deduplicated, with what was read and left out."""

    messages: list[LabelledMessage]
    window: Window
    counts: ReportCounts
    # Reports an admin gave a verdict (their status), labelled by it alone: what the regression set freezes.
    verified: list[LabelledMessage] = dataclasses.field(default_factory=list)


def _digest(key: str) -> bytes:
    # Remembering a million texts by a 16-byte digest costs about 70 MB; by the texts themselves, several times that.
    return hashlib.blake2b(key.encode(), digest_size=16).digest()


def label_all(
    reports: Iterable[Mapping[str, Any]], max_per_label: int | None = None
) -> tuple[list[LabelledMessage], ReportCounts, list[LabelledMessage]]:
    """Label reports given newest first, keeping one message per text (the newest label); return counts.

    At most ``max_per_label`` messages of each label are kept: the newest, so a flood of one label cannot crowd
    the other out. Reading stops once both labels are full. Admin verdicts are returned apart as well (third item).
    """
    seen: set[bytes] = set()
    messages: list[LabelledMessage] = []
    verified: list[LabelledMessage] = []
    kept = {NORMAL: 0, PHISHING: 0}
    by_source: collections.Counter[str] = collections.Counter(dict.fromkeys(LABEL_SOURCES, 0))
    left_out: collections.Counter[str] = collections.Counter()
    read = 0
    stopped_by = None
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
        key = _digest(normalise(text))
        if key in seen:
            left_out["duplicate"] += 1
            continue
        seen.add(key)
        sender = report.get("sender")
        sender = sender if isinstance(sender, str) else None
        admin_label = admin_label_of(report)
        if admin_label is not None and (max_per_label is None or len(verified) < 2 * max_per_label):
            verified.append(LabelledMessage(text, admin_label, sender, "report:admin_status"))
        if max_per_label is not None and kept[label] >= max_per_label:
            left_out["over_label_cap"] += 1
            continue
        kept[label] += 1
        by_source[source] += 1
        messages.append(LabelledMessage(text, label, sender, f"report:{source}"))
        if max_per_label is not None and min(kept.values()) >= max_per_label:
            stopped_by = STOPPED_FULL
            break
    counts = ReportCounts(
        read=read,
        labelled=len(messages),
        phishing=kept[PHISHING],
        normal=kept[NORMAL],
        by_label_source=dict(by_source),
        left_out=dict(sorted(left_out.items())),
        admin_verified=len(verified),
        stopped_by=stopped_by,
    )
    return messages, counts, verified


def _newest_first(
    collection: Any, since: dt.datetime, until: dt.datetime, settings: Settings
) -> Iterator[Mapping[str, Any]]:
    """Yield the window's reports newest first, one day's slice per query, querying a slice only when reached.

    Newest first, so the first labelled report of a text is the one whose label wins. Slicing keeps every sort
    the server does to one day of reports, and a read that stops early (both labels full) never asks for the
    older days: a server without a usable index, or one that sorts in memory, would otherwise sort the whole
    window before sending a single report.
    """
    deadline = time.monotonic() + settings.retrain_read_time_limit_s
    upper, first = until, True
    while upper > since:
        left_s = deadline - time.monotonic()
        if left_s <= 0 and not first:
            # Ends the read as the server's own time limit would; the reader keeps what it got.
            raise ExecutionTimeout("the read's time limit passed between two slices")
        lower = max(since, upper - SLICE)
        cursor = collection.find(
            {"timestamp": {"$gte": lower, ("$lte" if first else "$lt"): upper}},
            projection={"_id": 0, **dict.fromkeys(FIELDS, 1)},
            sort=[("timestamp", pymongo.DESCENDING)],
            limit=settings.retrain_max_read,
            batch_size=BATCH_SIZE,
            max_time_ms=max(1, int(left_s * 1000)),
        )
        try:
            yield from cursor
        finally:
            cursor.close()
        upper, first = lower, False


class _Limited:
    """A cursor read until it ends, ``max_read`` documents were read, or ``time_limit_s`` passed.

    The server enforces its own time limit (``max_time_ms``), but not every MongoDB-wire server does, so the
    deadline is kept here too. Either way the reports read so far (the newest) are kept and the stop is recorded.
    """

    def __init__(self, cursor: Iterable[Mapping[str, Any]], max_read: int, time_limit_s: float) -> None:
        self._cursor = cursor
        self._max_read = max_read
        self._deadline = time.monotonic() + time_limit_s
        self.stopped_by: str | None = None

    def __iter__(self) -> Iterator[Mapping[str, Any]]:
        read = 0
        try:
            for document in self._cursor:
                yield document
                read += 1
                if read >= self._max_read:
                    self.stopped_by = STOPPED_READ_LIMIT
                    return
                if read % BATCH_SIZE == 0 and time.monotonic() > self._deadline:
                    self.stopped_by = STOPPED_TIME_LIMIT
                    return
        except ExecutionTimeout:
            self.stopped_by = STOPPED_TIME_LIMIT


def hosts_of(uri: str) -> str:
    """Return the host list of a MongoDB URI without user name or password."""
    return uri.partition("://")[2].rpartition("@")[2].split("/")[0].split("?")[0] or "(no host)"


@contextlib.contextmanager
def reports_collection(
    settings: Settings, appname: str, socket_timeout_ms: int = 30_000
) -> Iterator[pymongo.collection.Collection[dict[str, Any]]]:
    """The reports collection of ``MONGODB_URI``, its client closed afterwards; an unusable URI raises
    :class:`ReportsUnavailable` (errors of the read itself are the caller's to name)."""
    if not settings.mongodb_uri:
        raise ReportsUnavailable("MONGODB_URI is not set")
    hosts = hosts_of(settings.mongodb_uri)
    try:
        client: pymongo.MongoClient[dict[str, Any]] = pymongo.MongoClient(
            settings.mongodb_uri,
            serverSelectionTimeoutMS=SERVER_TIMEOUT_MS,
            connectTimeoutMS=SERVER_TIMEOUT_MS,
            socketTimeoutMS=socket_timeout_ms,
            appname=appname,
            tz_aware=True,
        )
    except (ConfigurationError, ValueError) as exc:
        raise ReportsUnavailable(f"MONGODB_URI is not a usable MongoDB URI for {hosts}: {exc}") from None
    try:
        yield client.get_default_database(DEFAULT_DATABASE)[settings.mongo_collection]
    finally:
        client.close()


def load_labelled(settings: Settings, now: dt.datetime | None = None) -> LabelledReports:
    """Read the last ``retrain_days`` days of reports, newest first, and label them; raise :class:`ReportsUnavailable`.

    Memory and time are bounded whatever the window holds: at most ``retrain_max_read`` reports are read, streamed
    in batches with only the labelling fields, for at most ``retrain_read_time_limit_s``; the newest
    ``retrain_max_per_label`` of each label are kept.
    """
    if not settings.mongodb_uri:
        raise ReportsUnavailable("MONGODB_URI is not set: there are no reports to learn from")
    until = now or dt.datetime.now(dt.UTC)
    since = until - dt.timedelta(days=settings.retrain_days)
    hosts = hosts_of(settings.mongodb_uri)
    # A server may take long over the first batch of a large sorted read: the socket waits as long as the read may
    # last, plus a margin, so the time limit (not the socket) ends a slow read.
    socket_timeout_ms = int((settings.retrain_read_time_limit_s + SOCKET_MARGIN_S) * 1000)
    try:
        with reports_collection(settings, "weave-ml-retrain", socket_timeout_ms) as collection:
            _ensure_timestamp_index(collection)
            cursor = _newest_first(collection, since, until, settings)
            limited = _Limited(cursor, settings.retrain_max_read, settings.retrain_read_time_limit_s)
            messages, counts, verified = label_all(limited, settings.retrain_max_per_label)
            counts = dataclasses.replace(counts, stopped_by=counts.stopped_by or limited.stopped_by)
            if counts.stopped_by in (STOPPED_READ_LIMIT, STOPPED_TIME_LIMIT):
                log.warning("reports read stopped at %s (%s); the newest were kept", counts.read, counts.stopped_by)
    except NetworkTimeout:
        raise ReportsUnavailable(
            f"MongoDB at {hosts} stopped answering during the read of {settings.mongo_collection} "
            f"(no reply within {settings.retrain_read_time_limit_s + SOCKET_MARGIN_S:g} s)"
        ) from None
    except ServerSelectionTimeoutError:
        raise ReportsUnavailable(
            f"MongoDB at {hosts} did not answer within {SERVER_TIMEOUT_MS / 1000:g} s (MONGODB_URI)"
        ) from None
    except ConnectionFailure as exc:
        raise ReportsUnavailable(
            f"MongoDB at {hosts} dropped the connection during the read of {settings.mongo_collection} "
            f"({type(exc).__name__})"
        ) from None
    except PyMongoError as exc:
        reason = exc.details.get("errmsg", exc) if isinstance(exc, OperationFailure) and exc.details else exc
        raise ReportsUnavailable(f"MongoDB at {hosts} refused to read {settings.mongo_collection}: {reason}") from None
    window = Window(
        days=settings.retrain_days,
        since=since.isoformat(timespec="seconds"),
        until=until.isoformat(timespec="seconds"),
        collection=settings.mongo_collection,
        hosts=hosts,
        max_per_label=settings.retrain_max_per_label,
        max_read=settings.retrain_max_read,
        read_time_limit_s=settings.retrain_read_time_limit_s,
    )
    return LabelledReports(messages, window, counts, verified)


def _ensure_timestamp_index(collection: Any) -> None:
    # Ascending, unnamed: the index the Java API most likely created already, so this is a no-op there.
    try:
        collection.create_index([("timestamp", pymongo.ASCENDING)])
    except OperationFailure as exc:  # a read-only user may not create indexes; the query still runs
        log.warning("no index created on %s.timestamp: %s", collection.name, exc)

"""Reports as they change: every report the Java API inserts or updates, handed once to whatever reads verdicts.

A reader (campaign verdicts today) calls :func:`sweep` on a schedule with a name of its own and a function that
applies one report. Two ways to find what changed, the first the server allows:

- **A change stream** (MongoDB replica sets, nx-27017): inserts, updates and replacements in the server's order,
  resumed from a token kept in Redis. A report inserted ``pending`` and verified later comes again with its update;
  one written late comes when it is written, whatever its ``timestamp``.
- **A watermark on ``updated_at``** where the server has no change streams (a standalone mongod) or has lost the
  stream's history: the Java API sets ``updated_at`` on every insert and update; a report without one is read by its
  ``timestamp``. Each sweep reads again from ``OVERLAP_S`` before the watermark, so a report written up to that late
  is still seen; what a sweep applied is remembered for the overlap, so it is not applied twice.

``apply`` must be idempotent (a report applied twice changes nothing): a sweep whose ``apply`` raises records no
progress, so the next sweep reads the same reports again, those applied before the failure included. At most
``max_per_sweep`` reports are applied a sweep; a backlog is worked off over the next ones, in order.
"""

from __future__ import annotations

import datetime as dt
import heapq
import json
import logging
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import pymongo
import redis
from pymongo.errors import OperationFailure, PyMongoError

from weave_ml.connections import as_text
from weave_ml.reports.mongo import ReportsUnavailable, hosts_of, reports_collection
from weave_ml.settings import Settings

log = logging.getLogger(__name__)

PREFIX = "weave:reports"  # weave:reports:<reader>:{token,watermark,applied}
# How late a report may be written (after its updated_at or timestamp) and still be read without a change stream.
OVERLAP_S = 300
MAX_PER_SWEEP = 5000
# How long a sweep waits for one more change before it calls the stream read.
AWAIT_MS = 200
# Checkpoints outlive many missed sweeps, then go: a reader that was off for longer starts again from look_back_s.
CHECKPOINT_TTL_S = 7 * 86400
CHANGES = [{"$match": {"operationType": {"$in": ["insert", "update", "replace"]}}}]

Report = Mapping[str, Any]


def sweep(
    settings: Settings,
    client: redis.Redis,
    reader: str,
    apply: Callable[[Report], bool],
    *,
    look_back_s: float,
    max_per_sweep: int = MAX_PER_SWEEP,
    change_streams: bool = True,
    now: dt.datetime | None = None,
) -> dict[str, Any]:
    """Hand each report inserted or updated since ``reader``'s last sweep to ``apply`` (which returns whether it
    used it); return how many were read and used, and how they were found.

    A first sweep (or one whose checkpoint is gone) reads the reports of the last ``look_back_s``. ``change_streams``
    False reads by ``updated_at`` even where the server has change streams.
    """
    hosts = hosts_of(settings.mongodb_uri or "")
    try:
        with reports_collection(settings, f"weave-ml-{reader}") as collection:
            until = now or dt.datetime.now(dt.UTC)
            run = _Sweep(
                collection, client, reader, apply, until=until, look_back_s=look_back_s, max_per_sweep=max_per_sweep
            )
            if change_streams:
                try:
                    return run.by_change_stream()
                except OperationFailure as exc:  # no change streams here, or the stream's history is gone
                    log.info("reports for %s read by updated_at: change stream refused (%s)", reader, exc.code)
                    client.delete(run.token_key)
            return run.by_watermark()
    except PyMongoError as exc:
        raise ReportsUnavailable(f"MongoDB at {hosts} could not be read for {reader}: {type(exc).__name__}") from None


class _Sweep:
    """One sweep of one reader: where it reads, what it applies, up to when, and its checkpoints in Redis."""

    def __init__(
        self,
        collection: Any,
        client: redis.Redis,
        reader: str,
        apply: Callable[[Report], bool],
        *,
        until: dt.datetime,
        look_back_s: float,
        max_per_sweep: int,
    ) -> None:
        self.collection, self.client, self.apply = collection, client, apply
        self.until, self.look_back_s, self.max_per_sweep = until, look_back_s, max_per_sweep
        self.token_key = f"{PREFIX}:{reader}:token"  # the change stream's resume token (JSON)
        self.watermark_key = f"{PREFIX}:{reader}:watermark"  # epoch seconds read up to by updated_at
        self.applied_key = f"{PREFIX}:{reader}:applied"  # sorted set: what the overlap already applied, by its time

    def by_change_stream(self) -> dict[str, Any]:
        """Apply the changes since the stream's token; without one, start a stream and read by updated_at."""
        stored = self.client.get(self.token_key)
        if stored is None:
            # No stream yet: its token marks this moment; what came before is read by updated_at, then the stream goes
            # on from the token (a report changed in between comes both ways: applying is idempotent).
            with self.collection.watch(CHANGES, full_document="updateLookup", max_await_time_ms=AWAIT_MS) as stream:
                token = stream.resume_token
            counts = self.by_watermark()
            self._keep_token(token)
            return {**counts, "mode": "change_stream", "started": True}
        read = used = 0
        with self.collection.watch(
            CHANGES, resume_after=json.loads(stored), full_document="updateLookup", max_await_time_ms=AWAIT_MS
        ) as stream:
            token = stream.resume_token
            while read < self.max_per_sweep:
                change = stream.try_next()
                if change is None:
                    break
                read += 1
                document = change.get("fullDocument")
                if document is not None:  # None: deleted since
                    used += bool(self.apply(document))
                token = stream.resume_token
        self._keep_token(token)
        return {"read": read, "used": used, "mode": "change_stream"}

    def _keep_token(self, token: Mapping[str, Any] | None) -> None:
        # The watermark follows the stream, so a stream whose history is lost goes on by updated_at from here.
        with self.client.pipeline(transaction=True) as pipe:
            if token is not None:
                pipe.set(self.token_key, json.dumps(token, default=str), ex=CHECKPOINT_TTL_S)
            pipe.set(self.watermark_key, self.until.timestamp(), ex=CHECKPOINT_TTL_S)
            pipe.execute()

    def by_watermark(self) -> dict[str, Any]:
        """Apply the reports changed since the watermark less the overlap, but those the overlap applied already."""
        stored = self.client.get(self.watermark_key)
        since = (
            dt.datetime.fromtimestamp(float(stored), dt.UTC) - dt.timedelta(seconds=OVERLAP_S)
            if stored
            else self.until - dt.timedelta(seconds=self.look_back_s)
        )
        _ensure_index(self.collection, "updated_at")
        done = {as_text(raw) for raw in self.client.zrangebyscore(self.applied_key, since.timestamp(), "+inf")}
        read = used = 0
        applied: dict[str, float] = {}
        reached = self.until
        for stamp, report in _changed_between(self.collection, since, self.until):
            read += 1
            seen = f"{report['_id']}@{stamp.timestamp()}"
            if seen in done:
                continue
            if len(applied) >= self.max_per_sweep:
                reached = stamp  # the rest from here on is read again next time (the overlap covers this moment)
                break
            used += bool(self.apply(report))
            applied[seen] = stamp.timestamp()
        with self.client.pipeline(transaction=True) as pipe:
            if applied:
                pipe.zadd(self.applied_key, applied)
            pipe.zremrangebyscore(self.applied_key, "-inf", reached.timestamp() - 2 * OVERLAP_S)
            pipe.expire(self.applied_key, CHECKPOINT_TTL_S)
            pipe.set(self.watermark_key, reached.timestamp(), ex=CHECKPOINT_TTL_S)
            pipe.execute()
        return {"read": read, "used": used, "mode": "updated_at"}


def _changed_between(collection: Any, since: dt.datetime, until: dt.datetime) -> Iterator[tuple[dt.datetime, Report]]:
    """Reports whose ``updated_at`` (or, without one, ``timestamp``) is in (since, until], oldest first."""
    window = {"$gt": since, "$lte": until}
    updated = collection.find({"updated_at": window}, sort=[("updated_at", pymongo.ASCENDING)])
    older = collection.find(
        {"updated_at": {"$exists": False}, "timestamp": window}, sort=[("timestamp", pymongo.ASCENDING)]
    )
    stamped = (
        ((_stamp(report["updated_at"], since), index, report) for index, report in enumerate(updated)),
        ((_stamp(report["timestamp"], since), -index - 1, report) for index, report in enumerate(older)),
    )
    for stamp, _, report in heapq.merge(*stamped, key=lambda item: (item[0], item[1])):
        yield stamp, report


def _stamp(value: object, otherwise: dt.datetime) -> dt.datetime:
    """A report's time as an aware datetime. A server may hand back a date an update ``$set`` as text (nx-27017
    does); one that cannot be read at all sorts first."""
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            return otherwise
    if not isinstance(value, dt.datetime):
        return otherwise
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _ensure_index(collection: Any, field: str) -> None:
    try:
        collection.create_index([(field, pymongo.ASCENDING)])
    except OperationFailure as exc:  # a read-only user may not create indexes; the query still runs
        log.warning("no index created on %s.%s: %s", collection.name, field, exc)

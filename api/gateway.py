"""The gateway's connections, built once per app: Redis clients, cache, batch store, registry, dispatcher."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from typing import Any

import redis
from celery import Celery
from flask import current_app
from kombu.exceptions import OperationalError

from api import metrics
from api.admission import BatchAdmission
from api.dispatcher import Dispatcher
from api.errors import ApiError
from api.hot_scores import HotScores
from weave_ml import worker_states
from weave_ml.connections import redis_client
from weave_ml.model.predictions import OperatingPoints, Score
from weave_ml.names import (
    BATCH_QUEUE,
    PREDICT_QUEUE,
    REQUEST_ID_HEADER,
    SCORE_BATCH_CHUNK_TASK,
    SCORE_MESSAGES_TASK,
)
from weave_ml.registry.rollout_record import Rollout
from weave_ml.registry.store import Registry, RegistryError
from weave_ml.serving.batches import BatchJobs
from weave_ml.serving.cache import ScoreCache
from weave_ml.serving.pending import PendingStore
from weave_ml.settings import Settings

log = logging.getLogger(__name__)

# What a lost Redis looks like to the gateway: from redis-py directly, or from kombu when publishing a task.
BROKER_ERRORS = (redis.RedisError, OperationalError, OSError)
# How stale the gateway's idea of the versions being served (the pointer's and the workers') may be.
VERSION_CHECK_INTERVAL_S = 1.0
# After a failed cache call, requests go without the cache this long before it is tried again: an unreachable
# cache costs one connect timeout now and then, not one per request.
CACHE_RETRY_AFTER_S = 5.0


class Gateway:
    """Everything a request handler needs, shared by the threads of one process."""

    def __init__(self, settings: Settings, celery_app: Celery) -> None:
        self.settings = settings
        self.celery = celery_app
        self.results: redis.Redis = redis_client(settings.redis_url)
        self.cache = ScoreCache(redis_client(settings.cache_url), settings.cache_ttl_s)
        # Campaigns and rollout evidence (weave_ml.settings: STATE_REDIS_URL).
        self.state: redis.Redis = redis_client(settings.state_url)
        self.batches = BatchJobs(self.results, settings.result_ttl_s, send=self.send_batch_chunk)
        self.pending = PendingStore(self.results, settings.result_ttl_s)
        self.admission = BatchAdmission(self.results, self.batches, settings)
        self.registry = Registry(settings.model_dir, keep=settings.models_keep)
        self.hot = HotScores(settings.hot_scores_ttl_s)
        self.dispatcher = Dispatcher(
            self._send_micro_batch,
            self.results,
            in_flight_timeout_s=settings.predict_timeout_s,
            look_up=self.cached_scores,
        )
        self._current: str | None = None
        self._serving: list[str] = []
        self._rollout: Rollout | None = None
        self._versions_read_at = float("-inf")
        self._versions_lock = threading.Lock()
        self._cache_down_until = float("-inf")

    def current_version(self) -> str | None:
        """Return the registry's current version, re-reading the pointer at most once a second."""
        self._read_versions()
        return self._current

    def serving_versions(self) -> list[str]:
        """Return the versions answers may come from: the pointer's first, then the others the workers serve.

        A worker that cannot load the newest version keeps serving an older one and caches its scores under that
        version, so cache look-ups try each of these.
        """
        self._read_versions()
        return self._serving

    def _read_versions(self) -> None:
        # At most once a second: the pointer file, and one HGETALL of the workers' states.
        now = time.monotonic()
        if now - self._versions_read_at <= VERSION_CHECK_INTERVAL_S:
            return
        with self._versions_lock:
            if now - self._versions_read_at <= VERSION_CHECK_INTERVAL_S:
                return
            current = self.registry.current_version()
            try:
                served = worker_states.versions_served(worker_states.live(self.results))
            except BROKER_ERRORS:
                served = []  # without Redis the request fails on its own way; the pointer still counts
            try:
                rollout = self.registry.rollout()
            except RegistryError as exc:  # the workers ignore it too
                log.warning("rollout record ignored: %s", exc)
                rollout = None
            self._current = current
            self._rollout = rollout
            self._serving = list(dict.fromkeys(version for version in (current, *served) if version))
            self._versions_read_at = now

    def hot_score(self, message_hash: str) -> Score | None:
        """Return the score of a hash this process answered in the last seconds under a version served; no I/O.

        The versions are those a cache look-up would try, in the same order (a canary text keeps its version).
        """
        versions = self.serving_versions()
        rollout = self._rollout
        if rollout is not None:
            versions = rollout.lookup_versions(message_hash, versions)
        return self.hot.get(versions, message_hash)

    def cached_scores(self, message_hashes: Sequence[str], versions: Sequence[str] = ()) -> list[Score | None]:
        """Return the cached score of each hash under any version being served (or ``versions``), else None.

        The cache only saves work: when it fails, every hash is a miss, the failure is counted, and the cache is
        left alone for CACHE_RETRY_AFTER_S.
        """
        if time.monotonic() < self._cache_down_until:
            return [None] * len(message_hashes)
        try:
            looked_up = versions or self.serving_versions()
            rollout = self._rollout
            if rollout is None:
                found = self.cache.lookup(looked_up, message_hashes)
            else:
                # A canary text keeps its version: looked up under the candidate alone if the candidate answers it,
                # else never under the candidate. Asked for given versions (a request that timed out), any will do.
                strict = not versions
                each = [rollout.lookup_versions(digest, looked_up, strict) for digest in message_hashes]
                found = self.cache.lookup_each(each, message_hashes)
            self.hot.put([score for score in found if score is not None])
            return found
        except BROKER_ERRORS as exc:
            if time.monotonic() - self._cache_down_until > CACHE_RETRY_AFTER_S:  # once per outage, not per request
                log.warning("score cache unavailable, answering without it: %s", exc)
            self._cache_down_until = time.monotonic() + CACHE_RETRY_AFTER_S
            metrics.GATEWAY_CACHE_ERRORS.inc()
            return [None] * len(message_hashes)

    def _send_micro_batch(self, items: list[dict[str, Any]], reply_to: str) -> None:
        waiter_ids = [waiter_id for item in items for waiter_id in item["ids"]]
        metrics.MICRO_BATCH_REQUESTS.observe(len(waiter_ids))
        # One task serves many HTTP requests: it carries all their ids, for the worker's log lines.
        headers = {REQUEST_ID_HEADER: ",".join(self.dispatcher.log_ids(waiter_ids))}
        # argsrepr: task events, Flower and worker logs show this instead of the message texts. expires: a task
        # still queued when its requests have stopped waiting is dropped by the worker, not scored. ignore_result:
        # the answer comes back on the reply list, so no subscription to a result channel (which, with Redis gone,
        # retries for 20 s and holds up every request behind it).
        self.celery.send_task(
            SCORE_MESSAGES_TASK,
            args=[items, reply_to],
            queue=PREDICT_QUEUE,
            headers=headers,
            argsrepr=f"[<{len(items)} messages>]",
            expires=self.settings.predict_timeout_s,
            ignore_result=True,
        )

    def send_batch_chunk(self, batch_id: str, chunk: int) -> None:
        """Queue one chunk of a batch job: the task names it, the job holds its messages (weave_ml.serving.batches)."""
        self.celery.send_task(SCORE_BATCH_CHUNK_TASK, args=[batch_id, chunk], queue=BATCH_QUEUE, ignore_result=True)


def current_gateway() -> Gateway:
    """Return the gateway of the app serving the current request."""
    gateway: Gateway = current_app.extensions["weave"]
    return gateway


def points_of(version: str) -> OperatingPoints:
    """Return the operating points (thresholds, risk bands) of the model version that made a score."""
    try:
        return current_gateway().registry.operating_points(version)
    except (RegistryError, ValueError) as exc:
        raise ApiError(503, "model_unavailable", str(exc)) from None

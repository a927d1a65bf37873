"""Admission of batch jobs: a cap per client on messages in unfinished batches, and room in the broker's memory."""

from __future__ import annotations

import threading
import time

import redis

from api.errors import ApiError
from weave_ml.serving.batches import BatchJobs
from weave_ml.settings import Settings

# A client over its quota is told to come back after this long: its earlier batches drain at thousands of
# messages a second, so a few seconds frees room for a batch of any size the API takes.
RETRY_AFTER_S = 10
# The broker's memory is read at most this often per process (one INFO call).
MEMORY_READ_INTERVAL_S = 1.0


class BatchAdmission:
    """Refuses a batch (429 over the client's quota, 503 when the broker is nearly full) before anything is queued.

    The broker runs with ``noeviction``: when it is full every write fails, /predict included. Batches are what
    fills it, so they are refused first, while there is still room for the small writes of /predict.
    """

    def __init__(self, broker: redis.Redis, batches: BatchJobs, settings: Settings) -> None:
        self.broker = broker
        self.batches = batches
        self.quota = settings.batch_quota_messages
        self.memory_limit = settings.broker_memory_limit
        self._memory_share = 0.0
        self._memory_read_at = float("-inf")
        self._lock = threading.Lock()

    def admit(self, client: str, size: int) -> None:
        """Raise the ApiError that refuses a batch of ``size`` messages from ``client``, or return."""
        share = self.memory_share()
        if share > self.memory_limit:
            raise ApiError(
                503,
                "broker_full",
                f"the broker's memory is {share:.0%} full (batches wait below {self.memory_limit:.0%}); "
                "/predict still works, try the batch again later",
                headers={"Retry-After": str(RETRY_AFTER_S)},
            )
        unfinished = self.batches.unfinished_messages(client)
        if unfinished + size > self.quota:
            raise ApiError(
                429,
                "batch_quota",
                f"{unfinished} messages of this client's batches are not finished yet; with these {size} it would "
                f"exceed the quota of {self.quota} (BATCH_QUOTA_MESSAGES)",
                headers={"Retry-After": str(RETRY_AFTER_S)},
            )

    def memory_share(self) -> float:
        """Return used_memory / maxmemory of the broker (0 when it has no limit), read at most once a second."""
        now = time.monotonic()
        with self._lock:
            if now - self._memory_read_at > MEMORY_READ_INTERVAL_S:
                info = self.broker.info("memory")
                limit = int(info.get("maxmemory", 0))
                self._memory_share = int(info["used_memory"]) / limit if limit else 0.0
                self._memory_read_at = now
            return self._memory_share

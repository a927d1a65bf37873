"""Batch jobs in Redis, the source of truth for their messages: what was asked, each chunk until it is scored, each
message's result by position, and the job's progress.

A job keeps its messages, sealed (weave_ml.keys), one payload per chunk of ``CHUNK_SIZE``, until the chunk's results
are recorded. The Celery task of a chunk carries only the job id and the chunk's number: a worker claims the chunk
(a lease, see ``claim_chunk.lua``), scores it and records its results (``finish_chunk.lua``), and whatever the
broker or a worker does with a task — lost between Redis handing it out and the worker noting it, a worker killed
mid-chunk, a publish that failed — the job still holds the chunk, and :meth:`BatchJobs.sweep` publishes it again:

- a chunk whose lease ran out unfinished (its worker died, or Redis failed it) is published again at once;
- a chunk never claimed is published again once the broker can no longer hold it: chunk tasks carry a sequence
  number, the batch queue is first in first out, so when the queue holds fewer tasks than were published after a
  chunk's, the chunk's task has been taken — and, unclaimed after ``REPUBLISH_GRACE_S``, lost.

Publishing twice costs a task that finds its chunk claimed or done, never a second result: only the first finish of
a chunk records it. A chunk claimed ``attempts`` times without finishing fails its messages (``scoring_failed``),
so one poisonous chunk cannot take down worker after worker; one published ``MAX_PUBLISHES`` times and never claimed
fails them as ``lost``.
"""

from __future__ import annotations

import functools
import json
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import redis
from redis.typing import EncodableT

from weave_ml import keys
from weave_ml.connections import as_text, lua_script
from weave_ml.model.predictions import SENSITIVITY_LEVELS, OperatingPoints, Score, to_prediction
from weave_ml.names import (
    ACTIVE_BATCHES_KEY,
    BATCH_PREFIX,
    BATCH_PUBLISHED_KEY,
    BATCH_QUEUE,
    BATCH_SWEEP_LOCK_KEY,
    CLIENT_BATCHES_PREFIX,
)
from weave_ml.serving.queue_depth import priority_lists

log = logging.getLogger(__name__)

# Messages per chunk (one Celery task): enough to amortise a task's overhead, few enough that a worker busy with one
# is free again for a /predict within tens of milliseconds (workers take predict tasks first, but finish what they
# hold). Chunks of 100 took a worker about 70 ms: /predict's p99 during a batch was 4.7 times its p99 alone, 3.0
# with 50, for about a tenth less batch throughput (docs/performance.md, batch jobs).
CHUNK_SIZE = 50
STATUSES = ("queued", "running", "done", "failed")
# What a batch result says about a message that was not scored, by error code.
FAILURE_MESSAGES = {
    "timeout": "not scored within the scoring time limit (SCORING_TIME_LIMIT_S)",
    "scoring_failed": "its chunk was started BATCH_CHUNK_ATTEMPTS times without finishing; submit the message again",
    "lost": "its chunk was published again and again and never taken by a worker; submit the message again",
}
# A chunk taken from the queue is claimed within milliseconds; one unclaimed this long after the queue no longer
# holds it was lost on its way to a worker.
REPUBLISH_GRACE_S = 5.0
# A lease runs this much longer than a chunk may score (SCORING_TIME_LIMIT_S): time to record its results.
LEASE_MARGIN_S = 5.0
MAX_PUBLISHES = 10
# One sweep at a time among the workers, at most one every this many seconds.
SWEEP_LOCK_S = 4.0
# A sensitivity per message takes one character in the job's record.
_SENSITIVITY_CODES = {level: level[0] for level in SENSITIVITY_LEVELS}
_SENSITIVITY_OF = {code: level for level, code in _SENSITIVITY_CODES.items()}


@dataclass(frozen=True)
class JobKeys:
    """The Redis keys of one batch job, all expiring with it."""

    facts: str
    results: str
    payloads: str
    states: str

    @classmethod
    def of(cls, batch_id: str) -> JobKeys:
        base = f"{BATCH_PREFIX}:{batch_id}"
        return cls(base, f"{base}:scores", f"{base}:chunks", f"{base}:chunk-states")


@dataclass(frozen=True)
class Claim:
    """What a worker got when it asked for a chunk: ``claimed`` (score these items), ``exhausted`` (fail them),
    ``busy`` or ``done`` (nothing to do)."""

    state: str
    items: list[dict[str, Any]]
    tries: int = 0


def _client_key(client: str) -> str:
    return f"{CLIENT_BATCHES_PREFIX}:{client}"


class BatchJobs:
    """Batch jobs in the broker's Redis (it never evicts): facts, sealed chunk payloads, results by position."""

    def __init__(
        self,
        client: redis.Redis,
        ttl_s: int,
        *,
        lease_s: float = 30.0 + LEASE_MARGIN_S,
        attempts: int = 3,
        send: Callable[[str, int], None] | None = None,
    ) -> None:
        """``client``: the broker's Redis (the sweep reads its batch queue); ``send``: publishes a chunk's task
        (``batch_id``, chunk number) — needed to create jobs and to sweep."""
        self.client = client
        self.ttl_s = ttl_s
        self.lease_s = lease_s
        self.attempts = attempts
        self.send = send
        self._claim = lua_script(client, "weave_ml.serving", "claim_chunk.lua")
        self._finish = lua_script(client, "weave_ml.serving", "finish_chunk.lua")

    # -- the gateway ---------------------------------------------------------------------------------------------

    def create(
        self,
        batch_id: str,
        ids: Sequence[str | None],
        sensitivities: Sequence[str],
        cached: Mapping[int, Score],
        owner: str,
        *,
        misses: Sequence[dict[str, Any]] = (),
    ) -> int:
        """Record a new job of ``owner``'s: each message's id and sensitivity, the scores the cache had, and the
        messages to score (``misses``: ``position``, ``message``, ``sender``) sealed in chunks. Return the number of
        chunks, for :meth:`publish`.

        The job is stored whole, in one transaction, before any chunk is published: a publish that fails leaves a
        chunk the sweep publishes later, never a job missing messages.
        """
        now = time.time()
        job = JobKeys.of(batch_id)
        chunks = [misses[start : start + CHUNK_SIZE] for start in range(0, len(misses), CHUNK_SIZE)]
        facts: dict[EncodableT, EncodableT] = {
            "total": len(sensitivities),
            "created_at": now,
            "sensitivities": "".join(_SENSITIVITY_CODES[s] for s in sensitivities),
            "started": 0,
            "progress_at": now,
            "chunks": len(chunks),
            "recorded": len(cached),
            "failed": 0,
        }
        if any(item_id is not None for item_id in ids):
            facts["ids"] = json.dumps(list(ids), ensure_ascii=False, separators=(",", ":"))
        secrets = keys.current()
        with self.client.pipeline(transaction=True) as pipe:
            pipe.hset(job.facts, mapping=facts)
            if cached:
                pipe.hset(job.results, mapping={str(i): _encode(s, cached=True) for i, s in cached.items()})
            if chunks:
                pipe.hset(job.payloads, mapping={str(n): secrets.seal(_pack(chunk)) for n, chunk in enumerate(chunks)})
                pipe.zadd(ACTIVE_BATCHES_KEY, {batch_id: now})
            for key in (job.facts, job.results, job.payloads):
                pipe.expire(key, self.ttl_s)
            pipe.zadd(_client_key(owner), {batch_id: now})
            pipe.expire(_client_key(owner), self.ttl_s)
            pipe.execute()
        return len(chunks)

    def publish(self, batch_id: str, chunks: Sequence[int] | range) -> None:
        """Give each chunk the next sequence number, then send its task, in that order."""
        if not chunks:
            return
        assert self.send is not None, "BatchJobs was built without a way to publish chunks"
        job = JobKeys.of(batch_id)
        now = time.time()
        last = int(self.client.incrby(BATCH_PUBLISHED_KEY, len(chunks)))
        first = last - len(chunks) + 1
        with self.client.pipeline(transaction=True) as pipe:
            for offset, chunk in enumerate(chunks):
                # A lease that ran out goes with the task it belonged to: the new task is the chunk's now.
                pipe.hdel(job.states, f"{chunk}:lease")
                pipe.hincrby(job.states, f"{chunk}:pubs", 1)
                pipe.hset(job.states, mapping={f"{chunk}:seq": first + offset, f"{chunk}:at": now})
            pipe.expire(job.states, self.ttl_s)
            pipe.execute()
        for chunk in chunks:
            self.send(batch_id, chunk)

    # -- the workers ---------------------------------------------------------------------------------------------

    def claim(self, batch_id: str, chunk: int) -> Claim:
        """Claim a chunk for this worker: its items when claimed (or exhausted), nothing when done or busy."""
        job = JobKeys.of(batch_id)
        reply = self._claim(
            keys=[job.facts, job.payloads, job.states], args=[chunk, time.time(), self.lease_s, self.attempts]
        )
        state = as_text(reply[0])
        if state in ("done", "busy"):
            return Claim(state, [])
        return Claim(state, _unpack(keys.current().open(reply[1])), int(reply[2]))

    def finish(
        self, batch_id: str, chunk: int, scores: Mapping[int, Score], failures: Mapping[int, str] | None = None
    ) -> bool:
        """Record a chunk's scores and failures (error codes by position) and retire it; False when another worker
        recorded it first (nothing is written then)."""
        job = JobKeys.of(batch_id)
        failures = failures or {}
        results: list[EncodableT] = []
        for position, score in scores.items():
            results += [position, _encode(score)]
        for position, code in failures.items():
            results += [position, json.dumps({"error": code})]
        recorded = self._finish(
            keys=[job.facts, job.results, job.payloads, job.states, ACTIVE_BATCHES_KEY],
            args=[chunk, time.time(), self.ttl_s, batch_id, len(failures), *results],
        )
        return bool(recorded)

    def sweep(self, now: float | None = None) -> dict[str, int]:
        """Publish again every unfinished chunk the broker no longer holds; forget jobs that expired. Return how many
        chunks were published again and failed as lost.

        Every scoring worker calls it every few seconds; a lock lets one of them sweep at a time.
        """
        now = time.time() if now is None else now
        if not self.client.set(BATCH_SWEEP_LOCK_KEY, 1, nx=True, px=int(SWEEP_LOCK_S * 1000)):
            return {"republished": 0, "lost": 0}
        with self.client.pipeline(transaction=False) as pipe:
            pipe.zrange(ACTIVE_BATCHES_KEY, 0, -1)
            pipe.get(BATCH_PUBLISHED_KEY)
            for name in priority_lists(BATCH_QUEUE):
                pipe.llen(name)
            active, published, *lengths = pipe.execute()
        latest, queued = int(published or 0), sum(lengths)
        republished = lost = 0
        for raw in active:
            batch_id = as_text(raw)
            job = JobKeys.of(batch_id)
            with self.client.pipeline(transaction=False) as pipe:
                pipe.exists(job.facts)
                pipe.hkeys(job.payloads)
                pipe.hgetall(job.states)
                exists, pending, states = pipe.execute()
            if not exists:
                self.client.zrem(ACTIVE_BATCHES_KEY, batch_id)
                continue
            again: list[int] = []
            given_up: list[int] = []
            for chunk in sorted(int(raw_chunk) for raw_chunk in pending):
                state = _chunk_state(states, chunk)
                if not _still_held(state, now, latest, queued):
                    (given_up if state.get("pubs", 0) >= MAX_PUBLISHES else again).append(chunk)
            if again:
                log.warning("batch %s: %d chunks published again (%s)", batch_id, len(again), again[:10])
                self.publish(batch_id, again)
                republished += len(again)
            for chunk in given_up:
                lost += self.fail_unclaimed(batch_id, chunk)
        return {"republished": republished, "lost": lost}

    def fail_unclaimed(self, batch_id: str, chunk: int) -> int:
        """Fail every message of a chunk no worker ever claimed (``lost``); return how many."""
        payload = self.client.hget(JobKeys.of(batch_id).payloads, str(chunk))
        if not isinstance(payload, bytes):
            return 0
        positions = [item["position"] for item in _unpack(keys.current().open(payload))]
        self.finish(batch_id, chunk, {}, dict.fromkeys(positions, "lost"))
        return len(positions)

    # -- everyone ------------------------------------------------------------------------------------------------

    def unfinished_messages(self, owner: str) -> int:
        """Return how many messages of ``owner``'s batches are not answered yet; forget the batches that ended."""
        key = _client_key(owner)
        batch_ids = [as_text(member) for member in self.client.zrange(key, 0, -1)]
        if not batch_ids:
            return 0
        with self.client.pipeline(transaction=False) as pipe:
            for batch_id in batch_ids:
                job = JobKeys.of(batch_id)
                pipe.hget(job.facts, "total")
                pipe.hlen(job.results)
            counts = pipe.execute()
        waiting, ended = 0, []
        for batch_id, total, answered in zip(batch_ids, counts[::2], counts[1::2], strict=True):
            left = int(total) - answered if total is not None else 0
            if left > 0:
                waiting += left
            else:
                ended.append(batch_id)
        if ended:
            self.client.zrem(key, *ended)
        return waiting

    def status(
        self,
        batch_id: str,
        points_of: Callable[[str], OperatingPoints],
        offset: int = 0,
        limit: int | None = None,
    ) -> dict[str, Any] | None:
        """Return the job's status and its predictions so far in input order, or None if unknown or expired.

        ``offset``, ``limit``: only the predictions at positions ``offset`` … ``offset + limit - 1`` (all by default;
        ``limit=0``: the progress alone, read without touching a result). ``points_of`` gives the operating points of a
        model version: each score is decided by its own version's.
        """
        job = JobKeys.of(batch_id)
        # One transaction: the progress and the results are of the same moment (a chunk is recorded atomically).
        with self.client.pipeline(transaction=True) as pipe:
            pipe.hgetall(job.facts)
            pipe.hlen(job.results)
            if limit is None:
                pipe.hgetall(job.results)
            elif limit:
                pipe.hmget(job.results, [str(position) for position in range(offset, offset + limit)])
            facts, done, *read = pipe.execute()
        if not facts:
            return None
        sensitivities = facts[b"sensitivities"].decode()
        total = len(sensitivities)
        positions = range(min(offset, total), total if limit is None else min(offset + limit, total))
        if limit is None:
            stored = [read[0].get(str(position).encode()) for position in positions]
        else:
            stored = read[0][: len(positions)] if read else []
        ids = json.loads(facts[b"ids"]) if b"ids" in facts else None
        results = []
        points = functools.cache(points_of)  # once per version, not per result
        for position, raw in zip(positions, stored, strict=True):
            if raw is None:
                continue
            result = _result(raw, _SENSITIVITY_OF[sensitivities[position]], points)
            result["index"] = position
            if ids is not None and ids[position] is not None:
                result["id"] = ids[position]
            results.append(result)
        failed = int(facts[b"failed"]) if b"failed" in facts else self._failures(job)
        if done == total:
            state = "failed" if failed == total else "done"
        else:
            state = "running" if int(facts[b"started"]) or done else "queued"
        return {
            "batch_id": batch_id,
            "status": state,
            "total": total,
            "done": done,
            "failed": failed,
            "results": results,
        }

    def _failures(self, job: JobKeys) -> int:
        """Count a job's failed positions from its results: for a job created before its facts counted them."""
        return sum(as_text(value).startswith('{"error"') for value in self.client.hvals(job.results))

    def recorded(self, batch_id: str) -> int:
        """Return how many results were ever recorded for a job (cache hits included): its size when every
        position was recorded exactly once."""
        return int(self.client.hget(JobKeys.of(batch_id).facts, "recorded") or 0)


def _result(raw: bytes, sensitivity: str, points_of: Callable[[str], OperatingPoints]) -> dict[str, Any]:
    """The prediction, or the failure, of one recorded result."""
    value = json.loads(raw.decode())  # decoded here: given bytes, json first guesses their encoding
    if "error" in value:
        error = value["error"]
        return {"error": {"code": error, "message": FAILURE_MESSAGES.get(error, error)}}
    score = Score.from_dict(value)
    return to_prediction(score, sensitivity, points_of(score.model_version), cached=value.get("cached", False))


def _chunk_state(states: Mapping[bytes, bytes], chunk: int) -> dict[str, float]:
    prefix = f"{chunk}:".encode()
    return {field[len(prefix) :].decode(): float(value) for field, value in states.items() if field.startswith(prefix)}


def _still_held(state: Mapping[str, float], now: float, latest: int, queued: int) -> bool:
    """Whether a chunk's task may still reach a worker: leased and the lease running, or published and possibly
    still in the queue (or just taken from it)."""
    if "lease" in state:
        return state["lease"] > now
    if "seq" not in state:
        return False  # never published: its publish failed before it got a number
    if now - state.get("at", 0.0) < REPUBLISH_GRACE_S:
        return True
    # The queue is first in first out: it holds the newest ``queued`` tasks, and this one is not among them when
    # more than that were published after it.
    return latest - state["seq"] < queued


def _pack(items: Sequence[dict[str, Any]]) -> bytes:
    return json.dumps(list(items), ensure_ascii=False, separators=(",", ":")).encode("utf-8", "surrogatepass")


def _unpack(data: bytes) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = json.loads(data.decode("utf-8", "surrogatepass"))
    return items


def _encode(score: Score, cached: bool = False) -> str:
    value = score.to_dict() | ({"cached": True} if cached else {})
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))

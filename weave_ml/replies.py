"""Reply lists: how a worker hands scores straight back to the gateway process that is waiting for them.

Each gateway process owns one Redis list and blocks on it in a single thread, instead of one
result-backend subscription per request (the Redis result consumer is not thread-safe).
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import redis

from weave_ml.names import REPLY_PREFIX
from weave_ml.scoring import Score

# A reply nobody collects (its gateway process died) disappears after this long.
REPLY_TTL_S = 120


def reply_key(process_id: str) -> str:
    """Return the list a gateway process reads its replies from."""
    return f"{REPLY_PREFIX}:{process_id}"


def send(client: redis.Redis, key: str, request_ids: Sequence[str], scores: Sequence[Score]) -> None:
    """Push one reply holding the scores of the given requests, in one round trip."""
    payload = json.dumps({"ids": list(request_ids), "scores": [s.to_dict() for s in scores]}, ensure_ascii=False)
    with client.pipeline(transaction=False) as pipe:
        pipe.rpush(key, payload)
        pipe.expire(key, REPLY_TTL_S)
        pipe.execute()


def receive(client: redis.Redis, key: str, timeout_s: float) -> list[tuple[str, Score]]:
    """Wait up to ``timeout_s`` for a reply; return (request id, score) pairs, empty on timeout."""
    item = client.blpop([key], timeout=timeout_s)
    if item is None:
        return []
    reply = json.loads(item[1])
    return [(rid, Score.from_dict(s)) for rid, s in zip(reply["ids"], reply["scores"], strict=True)]

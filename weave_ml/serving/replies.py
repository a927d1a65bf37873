"""Reply lists: how a worker hands scores straight back to the gateway process that is waiting for them.

Each gateway process owns one Redis list and blocks on it in a single thread, instead of one
result-backend subscription per request (the Redis result consumer is not thread-safe).
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import redis

from weave_ml.model.predictions import Score
from weave_ml.names import REPLY_PREFIX

# A reply nobody collects (its gateway process died) disappears after this long.
REPLY_TTL_S = 120

# What a request gets back: its score, or the error code of a message that was not scored.
Answer = Score | str


def reply_key(process_id: str) -> str:
    """Return the list a gateway process reads its replies from."""
    return f"{REPLY_PREFIX}:{process_id}"


def send(client: redis.Redis, key: str, answers: Sequence[tuple[str, Answer]]) -> None:
    """Push one reply holding the answers of the given requests (request id, score or error code)."""
    payload = json.dumps(
        [[request_id, answer if isinstance(answer, str) else answer.to_dict()] for request_id, answer in answers],
        ensure_ascii=False,
    )
    with client.pipeline(transaction=False) as pipe:
        pipe.rpush(key, payload)
        pipe.expire(key, REPLY_TTL_S)
        pipe.execute()


def receive(client: redis.Redis, key: str, timeout_s: float) -> list[tuple[str, Answer]]:
    """Wait up to ``timeout_s`` for a reply; return (request id, answer) pairs, empty on timeout."""
    item = client.blpop([key], timeout=timeout_s)
    if item is None:
        return []
    return [
        (request_id, answer if isinstance(answer, str) else Score.from_dict(answer))
        for request_id, answer in json.loads(item[1])
    ]

"""What the campaign step adds per message, campaign on against off in the same run, against a real Redis.

``python -m bench.campaign_probe REDIS_URL|- [MESSAGES]`` scores nothing: it runs the step the gateway runs for each
/predict answer (one message per Redis call) and the step a worker runs for each batch chunk (100 per call) over
corpus messages from 300 senders, and prints one JSON line: wall and CPU milliseconds per message on and off (CPU:
this process and the Redis server), the signature alone, and the Redis memory the counted messages take. ``make
bench`` runs it against its own Redis; with ``-`` it starts a private redis-server.
"""

from __future__ import annotations

import json
import random
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from pathlib import Path

import redis

from devstack.processes import RedisServer
from weave_ml.campaigns.counting import CampaignCounter
from weave_ml.campaigns.signature import signature
from weave_ml.campaigns.store import CampaignStore
from weave_ml.model.predictions import Score
from weave_ml.model.text import message_hash
from weave_ml.settings import Settings
from weave_ml.training import corpus
from weave_ml.training.corpus.vocabulary import mobile_number

CHUNK = 100
# Request threads answering at once in one gateway process (gunicorn runs 32 per process; 8 is a moderate load).
THREADS = 8


def server_cpu_s(client: redis.Redis) -> float:
    cpu = client.info("cpu")
    return float(cpu["used_cpu_user"]) + float(cpu["used_cpu_sys"])


def _per_message_ms(
    counter: CampaignCounter,
    texts: Sequence[str],
    senders: Sequence[str],
    scores: Sequence[Score],
    size: int,
    *,
    threads: int = THREADS,
) -> tuple[float, float]:
    """Return wall and CPU milliseconds per message (CPU: this process and the Redis server together).

    CPU time is the figure to read on a shared machine: a busy neighbour stretches wall time, not CPU time.
    """
    client = counter.store.client
    server_before, cpu_before, started = server_cpu_s(client), time.process_time(), time.perf_counter()
    if size == 1:  # as the gateway answers: one call per answer, from ``threads`` request threads at once

        def answer(part: range) -> None:
            for i in part:
                counter.observe_one(texts[i], senders[i], scores[i])

        running = [threading.Thread(target=answer, args=(range(k, len(texts), threads),)) for k in range(threads)]
        for thread in running:
            thread.start()
        for thread in running:
            thread.join()
        counter.recent.flush_now()  # repeats' counts left for the background are part of their cost
    for start in range(0, len(texts), size) if size > 1 else ():
        part = slice(start, start + size)
        counter.observe(texts[part], senders[part], scores[part])
    wall = time.perf_counter() - started
    cpu = time.process_time() - cpu_before + server_cpu_s(client) - server_before
    return wall * 1000 / len(texts), cpu * 1000 / len(texts)


def measure(client: redis.Redis, messages: int = 4000) -> dict[str, float]:
    """Return ms per message of the campaign step, on and off, one message and CHUNK messages per call."""
    rng = random.Random(16)
    texts = [m.message for m in corpus.generate(size=messages)][:messages]
    pool = [mobile_number(rng) for _ in range(300)]
    senders = [rng.choice(pool) for _ in texts]
    scores = [Score(message_hash(text), rng.random(), (), "bench") for text in texts]
    store = CampaignStore.from_settings(client, Settings())  # the defaults: 6 h window, 30 min for a lone text
    off = CampaignCounter(store, enabled=False)
    result: dict[str, float] = {}
    # Alternated, best of three, so a busy moment of the shared machine does not land on one side only. A fresh
    # counter each time: texts it answered moments ago would be answered from its memory (campaigns.recent), which
    # "repeat" measures on its own: every text answered once before, untimed.
    # "alone": one request at a time, so no answer shares another's Redis call.
    for name, size, threads in (("predict", 1, THREADS), ("alone", 1, 1), ("repeat", 1, THREADS), ("batch", CHUNK, 1)):
        runs: dict[str, list[tuple[float, float]]] = {"on": [], "off": []}
        for _ in range(3):
            client.flushdb()
            on = CampaignCounter(store, enabled=True)
            if name == "repeat":
                _per_message_ms(on, texts, senders, scores, size, threads=threads)
            runs["on"].append(_per_message_ms(on, texts, senders, scores, size, threads=threads))
            runs["off"].append(_per_message_ms(off, texts, senders, scores, size, threads=threads))
        for side in ("on", "off"):
            result[f"{name}_{side}_ms"] = min(wall for wall, _ in runs[side])
            result[f"{name}_{side}_cpu_ms"] = min(cpu for _, cpu in runs[side])
        result[f"{name}_added_ms"] = result[f"{name}_on_ms"] - result[f"{name}_off_ms"]
        result[f"{name}_added_cpu_ms"] = result[f"{name}_on_cpu_ms"] - result[f"{name}_off_cpu_ms"]
    started = time.process_time()
    for text in texts:
        signature(text)
    result["signature_cpu_ms"] = (time.process_time() - started) * 1000 / len(texts)
    # What a window of campaigns holds in Redis: every message counted once in a fresh database, per message.
    client.flushdb()
    empty = int(client.info("memory")["used_memory"])
    CampaignCounter(store, enabled=True).observe(texts, senders, scores)
    result["redis_bytes_per_message"] = (int(client.info("memory")["used_memory"]) - empty) / len(texts)
    client.flushdb()
    return {key: round(value, 4) for key, value in result.items()}


def main(argv: Sequence[str]) -> int:
    messages = int(argv[1]) if len(argv) > 1 else 4000
    if argv and argv[0] != "-":
        print(json.dumps(measure(redis.Redis.from_url(argv[0]), messages)))
        return 0
    server = RedisServer(Path(tempfile.mkdtemp(prefix="weave-campaign-probe-")))
    try:
        print(json.dumps(measure(server.client(), messages)))
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

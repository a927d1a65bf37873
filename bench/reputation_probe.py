"""What reputation adds to the campaign step per message, on against off in the same run, against a real Redis.

``python -m bench.reputation_probe REDIS_URL|- [MESSAGES]`` scores nothing: it runs the step the gateway runs for each
/predict answer (count and judge: the campaign, the links' and numbers' reputation, the verified-sender cap) and the
step a worker runs for each batch chunk of 100, over corpus messages from 300 senders, with reputation on and off,
alternated, best of ``ROUNDS``. It prints one JSON line: CPU milliseconds per message on, off and added (CPU of this
process and of the Redis server together: a busy neighbour stretches wall time, not CPU time), the reading of a
message's domains and numbers alone, and the Redis memory an entry takes. With ``-`` it starts a private
redis-server.
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
from typing import Any

import redis

from bench.campaign_probe import CHUNK, THREADS, server_cpu_s
from devstack.processes import RedisServer
from weave_ml.campaigns.counting import CampaignCounter
from weave_ml.campaigns.store import CampaignStore
from weave_ml.model.predictions import Score
from weave_ml.model.text import message_hash
from weave_ml.reputation import subjects
from weave_ml.reputation.store import ReputationStore
from weave_ml.settings import Settings
from weave_ml.training import corpus
from weave_ml.training.corpus.vocabulary import mobile_number

# On a shared machine a busy neighbour makes one round's CPU time longer now and then (caches, a shared core), never
# shorter: the best of several rounds is the figure.
ROUNDS = 5


def _prediction(score: Score) -> dict[str, Any]:
    flagged = score.probability >= 0.5
    return {
        "is_phishing": flagged,
        "phishing_probability": score.probability,
        "risk_level": "high" if flagged else "low",
        "reasons": [],
    }


def _per_message_cpu_ms(
    counter: CampaignCounter,
    texts: Sequence[str],
    senders: Sequence[str],
    scores: Sequence[Score],
    *,
    size: int,
    threads: int,
) -> float:
    """CPU milliseconds per message of this process and the Redis server, answering as the gateway does (``size``
    1: count and judge each answer, from ``threads`` request threads) or counting chunks as a worker does."""
    client = counter.store.client
    server_before, cpu_before = server_cpu_s(client), time.process_time()
    if size == 1:

        def answer(part: range) -> None:
            for i in part:
                counter.judge(_prediction(scores[i]), counter.count_one(texts[i], senders[i], scores[i]))

        running = [threading.Thread(target=answer, args=(range(k, len(texts), threads),)) for k in range(threads)]
        for thread in running:
            thread.start()
        for thread in running:
            thread.join()
        counter.recent.flush_now()  # counts left for the background are part of the cost
    else:
        for start in range(0, len(texts), size):
            part = slice(start, start + size)
            counter.count_many(texts[part], senders[part], scores[part])
    cpu = time.process_time() - cpu_before + server_cpu_s(client) - server_before
    return cpu * 1000 / len(texts)


def measure(client: redis.Redis, messages: int = 4000) -> dict[str, float]:
    """Return CPU ms per message of the campaign step with reputation on and off, and reputation's memory."""
    rng = random.Random(16)
    texts = [m.message for m in corpus.generate(size=messages)][:messages]
    pool = [mobile_number(rng) for _ in range(300)]
    senders = [rng.choice(pool) for _ in texts]
    scores = [Score(message_hash(text), rng.random(), (), "bench") for text in texts]
    settings = Settings()  # the defaults: campaigns' windows, reputation's TTL and rules
    campaigns = CampaignStore.from_settings(client, settings)
    reputation = ReputationStore.from_settings(client, settings)
    result: dict[str, float] = {}
    # "repeat": every text answered once before, untimed (its campaign and its entries remembered).
    for name, size, threads in (("predict", 1, THREADS), ("alone", 1, 1), ("repeat", 1, THREADS), ("batch", CHUNK, 1)):
        runs: dict[str, list[float]] = {"on": [], "off": []}
        for _ in range(ROUNDS):
            for side in ("on", "off"):  # each side in a database of its own state: a fresh one
                client.flushdb()
                counter = CampaignCounter(campaigns, reputation=reputation if side == "on" else None)
                if name == "repeat":
                    _per_message_cpu_ms(counter, texts, senders, scores, size=size, threads=threads)
                runs[side].append(_per_message_cpu_ms(counter, texts, senders, scores, size=size, threads=threads))
        result[f"{name}_on_cpu_ms"] = min(runs["on"])
        result[f"{name}_off_cpu_ms"] = min(runs["off"])
        result[f"{name}_added_cpu_ms"] = result[f"{name}_on_cpu_ms"] - result[f"{name}_off_cpu_ms"]
    started = time.process_time()
    for text in texts:
        subjects.of_text(*subjects.read(text))
    result["reading_cpu_ms"] = (time.process_time() - started) * 1000 / len(texts)
    held = sum(bool(subjects.of_text(*subjects.read(text)).all()) for text in texts)
    result["messages_holding_a_link_or_number"] = held / len(texts)
    # What reputation holds in Redis: every message counted once into an empty database, per entry made.
    client.flushdb()
    empty = int(client.info("memory")["used_memory"])
    CampaignCounter(campaigns, enabled=False, reputation=reputation).count_many(texts, senders, scores)
    entries = sum(1 for key in client.scan_iter("weave:reputation:[dn]:*") if key.count(b":") == 3)
    result["reputation_entries"] = entries
    result["redis_bytes_per_entry"] = (int(client.info("memory")["used_memory"]) - empty) / max(entries, 1)
    client.flushdb()
    return {key: round(value, 4) for key, value in result.items()}


def main(argv: Sequence[str]) -> int:
    messages = int(argv[1]) if len(argv) > 1 else 4000
    if argv and argv[0] != "-":
        print(json.dumps(measure(redis.Redis.from_url(argv[0]), messages)))
        return 0
    server = RedisServer(Path(tempfile.mkdtemp(prefix="weave-reputation-probe-")))
    try:
        print(json.dumps(measure(server.client(), messages)))
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

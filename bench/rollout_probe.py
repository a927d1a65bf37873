"""What a rollout costs a scoring worker: the same slices scored by the current model alone, then by a rollout scorer
(both versions, evidence written to a private Redis), in one run; prints JSON with the ratios and the Redis memory
the evidence takes per message.

    python -m bench.rollout_probe            # trains two small models, starts its own redis-server
"""

from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path

from devstack.processes import RedisServer
from weave_ml.model.scoring import Scorer
from weave_ml.registry.rollout_record import CANARY, SHADOW, Rollout
from weave_ml.registry.store import Registry
from weave_ml.rollouts.dual_scoring import RolloutScorer
from weave_ml.rollouts.evidence import EvidenceStore
from weave_ml.training import corpus
from weave_ml.training.train import publish, train_evaluated

MESSAGES = 4000
SLICE = 32  # as weave_ml.serving.scoring_service scores a task
ROUNDS = 5


def per_message_ms(scorer: Scorer | RolloutScorer, texts: list[str], senders: list[str | None]) -> float:
    """Best of ROUNDS passes over every slice: milliseconds per message."""
    passes = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        for start in range(0, len(texts), SLICE):
            scorer.score_many(texts[start : start + SLICE], senders[start : start + SLICE])
        passes.append((time.perf_counter() - started) / len(texts) * 1000)
    return min(passes)


def main() -> None:
    workdir = Path(tempfile.mkdtemp(prefix="rollout-probe-"))
    registry = Registry(workdir / "models")
    current = publish(registry, train_evaluated(corpus.generate(seed=0, size=2000)))
    candidate = publish(registry, train_evaluated(corpus.generate(seed=7, size=2000)), make_current=False)
    plain = registry.load(current).scorer()
    other = registry.load(candidate).scorer()
    messages = corpus.generate(seed=99, size=MESSAGES)
    texts, senders = [m.message for m in messages], [m.sender for m in messages]
    server = RedisServer(workdir / "redis")
    try:
        store = EvidenceStore(server.client(), ttl_s=3600)
        empty = int(server.client().info("memory")["used_memory"])
        results = {"messages": MESSAGES, "slice": SLICE, "plain_ms_per_message": per_message_ms(plain, texts, senders)}
        for mode in (SHADOW, CANARY):
            rollout = Rollout.begin(candidate, mode, 50 if mode == CANARY else None, current)
            scorer = RolloutScorer(plain, other, rollout, store)
            results[f"{mode}_ms_per_message"] = per_message_ms(scorer, texts, senders)
            results[f"{mode}_ratio"] = results[f"{mode}_ms_per_message"] / results["plain_ms_per_message"]
        keys = int(server.client().dbsize())
        results["evidence_keys"] = keys
        results["evidence_bytes_per_key"] = (int(server.client().info("memory")["used_memory"]) - empty) / keys
        print(json.dumps({k: round(v, 3) if isinstance(v, float) else v for k, v in results.items()}))
    finally:
        server.stop()


if __name__ == "__main__":
    main()

"""Time loading the current model of a registry and scoring single messages with it; print JSON."""

from __future__ import annotations

import json
import statistics
import sys
import time

from weave_ml.registry.store import Registry
from weave_ml.training import corpus

MESSAGES = 2000


def main() -> None:
    registry = Registry(sys.argv[1])
    loads = []
    for _ in range(3):
        started = time.perf_counter()
        loaded = registry.load()
        scorer = loaded.scorer()
        loads.append(time.perf_counter() - started)
    texts = [m.message for m in corpus.generate(seed=99, size=MESSAGES)]
    for text in texts[:50]:  # warm up
        scorer.score_many([text])
    seconds = []
    for text in texts:
        started = time.perf_counter()
        scorer.score_many([text], ["010-1234-5678"])
        seconds.append(time.perf_counter() - started)
    seconds.sort()
    print(
        json.dumps(
            {
                "version": loaded.version,
                "load_s_best_of_3": round(min(loads), 3),
                "single_message_ms_median": round(statistics.median(seconds) * 1000, 3),
                "single_message_ms_p99": round(seconds[int(len(seconds) * 0.99)] * 1000, 3),
                "vocabulary_size": scorer.vocabulary_size,
                "model_file_mib": round(registry.model_path(loaded.version).stat().st_size / 2**20, 1),
            }
        )
    )


if __name__ == "__main__":
    main()

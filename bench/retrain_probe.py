"""Time one retrain on N labelled messages in a fresh process and print seconds and peak RSS as JSON.

CPU seconds are printed too: on a shared machine the wall clock also counts other people's processes.
"""

from __future__ import annotations

import json
import resource
import sys
import time

from weave_ml.training import corpus
from weave_ml.training.train import train_evaluated


def main() -> None:
    size = int(sys.argv[1])
    messages = corpus.generate(size=size)
    started, cpu_started = time.perf_counter(), time.process_time()
    trained = train_evaluated(messages)
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps(
            {
                "messages": len(messages),
                "seconds": seconds,
                "cpu_seconds": cpu_seconds,
                "peak_rss_mib": peak_mib,
                "mcc": trained.metrics["mcc"],
            }
        )
    )


if __name__ == "__main__":
    main()

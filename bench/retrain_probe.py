"""Time one retrain on N labelled messages in a fresh process and print seconds and peak RSS as JSON."""

from __future__ import annotations

import json
import resource
import sys
import time

from weave_ml import corpus
from weave_ml.training import train_evaluated


def main() -> None:
    size = int(sys.argv[1])
    messages = corpus.generate(size=size)
    started = time.perf_counter()
    trained = train_evaluated(messages)
    seconds = time.perf_counter() - started
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps(
            {"messages": len(messages), "seconds": seconds, "peak_rss_mib": peak_mib, "mcc": trained.metrics["mcc"]}
        )
    )


if __name__ == "__main__":
    main()

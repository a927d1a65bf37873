"""The ``retrain_1m_reports`` scenario: one retrain whose window holds N reports in a MongoDB-wire server.

``fill`` writes N reports into a private nx-27017 the way the Java API writes them (``insert_many`` in chunks),
spread over the last 29 days with every kind of label: users' verdicts, admins' statuses and scores given at the
time. ``python -m bench.retrain_reports URI MODEL_DIR`` then runs one retrain in a fresh process with the
settings of the environment (by default the bounded read; the registry starts empty) and prints wall and CPU
seconds, peak RSS and what the read kept as JSON. With ``--read-only`` (the smoke run of ``make test``) it reads
and labels the window without training: a retrain trains on the bundled data whatever the window holds, which
costs half a minute even for a few reports.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import random
import resource
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pymongo

from weave_ml.reports.mongo import load_labelled
from weave_ml.settings import from_env
from weave_ml.training import corpus, retrain

COLLECTION = "phishing_reports"
CHUNK = 20_000
# Messages drawn per call of the seed corpus generator; each call uses a seed of its own, so texts vary.
GENERATED_PER_SEED = 50_000
# Redis does not answer here: the run takes the registry's file lock instead.
NO_REDIS = "redis://127.0.0.1:9/0"


def documents(count: int, now: dt.datetime, seed: int = 0) -> Iterator[dict[str, Any]]:
    """Yield ``count`` reports: 40% with a user's verdict, 10% with an admin's status, the rest with a score."""
    rng = random.Random(seed)
    produced = 0
    generator_seed = 1000 + seed
    while produced < count:
        for message in corpus.generate(seed=generator_seed, size=min(GENERATED_PER_SEED, count - produced)):
            draw = rng.random()
            document: dict[str, Any] = {
                "message": message.message,
                "sender": message.sender,
                "timestamp": now - dt.timedelta(seconds=rng.uniform(0, 29 * 86400)),
                "status": "pending",
                "risk_level": "medium",
            }
            if draw < 0.4:
                document["user_feedback"] = "피싱" if message.label else "정상"
            elif draw < 0.5:
                document["status"] = "verified" if message.label else "false_positive"
            else:
                document["risk_score"] = rng.choice([0.92, 0.55]) if message.label else rng.choice([0.08, 0.45])
            yield document
            produced += 1
            if produced == count:
                return
        generator_seed += 1


def fill(uri: str, count: int, now: dt.datetime) -> float:
    """Write ``count`` reports into the database of ``uri`` and return the seconds it took."""
    client: pymongo.MongoClient[dict[str, Any]] = pymongo.MongoClient(uri)
    started = time.perf_counter()
    try:
        collection = client.get_default_database()[COLLECTION]
        collection.create_index([("timestamp", pymongo.ASCENDING)])
        chunk: list[dict[str, Any]] = []
        for document in documents(count, now):
            chunk.append(document)
            if len(chunk) == CHUNK:
                collection.insert_many(chunk, ordered=False)
                chunk = []
        if chunk:
            collection.insert_many(chunk, ordered=False)
    finally:
        client.close()
    return time.perf_counter() - started


def main() -> None:
    uri, model_dir = sys.argv[1], Path(sys.argv[2])
    # Other settings from the environment, so a run can try other bounds (ML_RETRAIN_MAX_PER_LABEL=...).
    settings = dataclasses.replace(from_env(), mongodb_uri=uri, model_dir=model_dir, redis_url=NO_REDIS)
    started, cpu_started = time.perf_counter(), time.process_time()
    if "--read-only" in sys.argv[3:]:
        loaded = load_labelled(settings)
        report = {"decision": "read_only", "reports": loaded.counts.to_dict(), "timings_s": {}}
    else:
        report = retrain.run(settings, trigger="bench").to_dict()
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps(
            {
                "seconds": seconds,
                "cpu_seconds": cpu_seconds,
                "peak_rss_mib": peak_mib,
                "decision": report["decision"],
                "reports": report.get("reports"),
                "timings_s": report.get("timings_s"),
            }
        )
    )


if __name__ == "__main__":
    main()

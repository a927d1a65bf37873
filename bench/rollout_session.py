"""A rollout session on a real stack, as docs/rollouts.md shows it: a shadow run, then a canary run that is promoted.

    python -m bench.rollout_session [WORKDIR]

Starts a private Redis and MongoDB-wire server, two scoring workers, the trainer, beat (rollout check every 5 s) and
the gateway; trains two models on different seeds of the corpus; sends 400 unique /predict requests per run and
reports one in five with its true verdict; prints what an operator would see (CLI and HTTP). Everything it starts is
stopped at the end.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pymongo

from devstack.deployment import Deployment
from devstack.processes import BIN, CeleryWorker, MongoServer, ProcfileProcess, RedisServer, wait_until
from weave_ml.training import corpus
from weave_ml.training.train import publish, train_evaluated

KEY = "session-admin-key"
REQUESTS = 400
REPORT_EVERY = 5
CHECK_INTERVAL_S = 5


def main() -> None:
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp(prefix="rollout-session-"))
    redis_server = RedisServer(root / "redis")
    mongo = MongoServer(root / "mongo")
    stack = Deployment(redis_server, root / "stack", settings={"WEAVE_API_KEY": KEY, "PREDICT_TIMEOUT_S": "5"})
    try:
        run(stack, mongo, root)
    finally:
        stack.stop()
        mongo.stop()
        redis_server.stop()


def run(stack: Deployment, mongo: MongoServer, root: Path) -> None:
    current = publish(stack.registry, train_evaluated(corpus.generate(seed=0, size=2000)))
    candidate = publish(stack.registry, train_evaluated(corpus.generate(seed=7, size=2000)), make_current=False)
    stack.env.update(
        {
            "MONGODB_URI": mongo.uri("weave"),
            "ROLLOUT_CHECK_INTERVAL_S": str(CHECK_INTERVAL_S),
            "BEAT_SCHEDULE_FILE": str(root / "beat-schedule"),
        }
    )
    gateway = stack.gateway()
    scoring = [stack.worker(), stack.worker()]
    trainer = stack.worker(process="trainer")
    stack.processes.append(ProcfileProcess("beat", stack.env, stack.logs / "beat.log"))
    for worker in (*scoring, trainer):
        worker.wait_ready()
    client: pymongo.MongoClient[dict[str, Any]] = pymongo.MongoClient(mongo.uri("weave"))
    reports = client["weave"]["phishing_reports"]
    admin = {"X-API-Key": KEY}

    def cli(*args: str) -> None:
        print("$ weave-ml " + " ".join(args), flush=True)
        done = subprocess.run(
            [str(BIN / "weave-ml"), *args], env=stack.env, capture_output=True, text=True, check=False
        )
        print(done.stdout.rstrip(), flush=True)

    def http(method: str, path: str, body: Any = None) -> None:
        print(
            f"$ curl -s -X {method} localhost:8000{path} -H 'X-API-Key: …'"
            + (f" -d '{json.dumps(body)}'" if body else "")
        )
        answer = gateway.post(path, body, headers=admin) if method == "POST" else gateway.get(path, headers=admin)
        print(json.dumps(answer.json(), ensure_ascii=False, indent=2), flush=True)

    def follow(candidate_version: str | None, workers: list[CeleryWorker] = scoring) -> None:
        wait_until(
            lambda: all((w.state() or {}).get("candidate_version") == candidate_version for w in workers),
            30,
            "the workers to follow the rollout",
        )

    def traffic(seed: int) -> dict[str, int]:
        versions: dict[str, int] = {}
        for position, message in enumerate(corpus.generate(seed=seed, size=REQUESTS)):
            answer = gateway.post("/predict", {"message": message.message, "sender": message.sender}).json()
            versions[answer["model_version"]] = versions.get(answer["model_version"], 0) + 1
            if position % REPORT_EVERY == 0:
                reports.insert_one(
                    {
                        "message": message.message,
                        "sender": message.sender,
                        "timestamp": dt.datetime.now(dt.UTC),
                        "status": "pending",
                        "risk_score": answer["phishing_probability"],
                        "user_feedback": "피싱" if message.label else "오탐",
                    }
                )
        print(f"# {REQUESTS} /predict requests, answers by version: {versions}", flush=True)
        return versions

    print(f"# current {current}, candidate {candidate}")
    print("\n## shadow run")
    cli("rollout", "start", candidate, "--mode", "shadow")
    follow(candidate)
    traffic(101)
    time.sleep(CHECK_INTERVAL_S + 2)  # one rollout check after the last report
    cli("rollout", "status")
    print("$ curl -s localhost:8000/metrics | grep '^weave_rollout'")
    print("\n".join(line for line in gateway.get("/metrics").text.splitlines() if line.startswith("weave_rollout")))
    cli("rollout", "abort", "--reason", "shadow run done")
    follow(None)

    print("\n## canary run")
    http("POST", "/admin/rollout", {"candidate": candidate, "mode": "canary", "share": 30})
    follow(candidate)
    traffic(202)
    time.sleep(CHECK_INTERVAL_S + 2)
    cli("rollout", "status")
    http("POST", "/admin/rollout/promote")
    wait_until(lambda: all((w.state() or {}).get("model_version") == candidate for w in scoring), 30, "the promotion")
    cli("rollout", "status")


if __name__ == "__main__":
    main()

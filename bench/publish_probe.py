"""CPU per published scoring task, kombu's stock Redis transport against weave_ml.serving.broker_transport; print JSON.

    python -m bench.publish_probe redis://127.0.0.1:6379/15 [tasks per round]

Publishes /predict tasks as the gateway does (task-sent event on, as configured) into that database, which it
empties of the queues it filled afterwards. Rounds alternate (stock, ours, ours, stock, …) so drifting background
load falls on both alike; the figure is the median CPU milliseconds of the process per task.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time

import redis
from celery import Celery

from weave_ml.names import PREDICT_QUEUE, SCORE_MESSAGES_TASK
from weave_ml.serving.queue_depth import priority_lists

ROUNDS = 6
ITEMS = [{"message": "[Web발신] 고객님 택배 주소 확인 http://han.gl/x", "sender": None, "hash": "a" * 64, "ids": ["r"]}]


def _app(url: str, transport: str | None) -> Celery:
    os.environ["REDIS_URL"] = url
    from workers.celery_app import create_celery_app

    app = create_celery_app()
    app.conf.broker_transport = transport
    return app


def _cpu_ms_per_task(app: Celery, tasks: int) -> float:
    started = time.process_time()
    for _ in range(tasks):
        app.send_task(
            SCORE_MESSAGES_TASK,
            args=[ITEMS, "weave:reply:probe"],
            queue=PREDICT_QUEUE,
            argsrepr="[<1 messages>]",
            expires=5,
            ignore_result=True,
        )
    return (time.process_time() - started) / tasks * 1000


def main() -> None:
    url = sys.argv[1]
    tasks = int(sys.argv[2]) if len(sys.argv) > 2 else 2000
    apps = {"stock": _app(url, None), "reused_client": _app(url, "weave_ml.serving.broker_transport:Transport")}
    for app in apps.values():
        _cpu_ms_per_task(app, 100)  # connections, declarations, imports
    measured: dict[str, list[float]] = {name: [] for name in apps}
    order = list(apps)
    for round_number in range(ROUNDS):
        for name in order if round_number % 2 == 0 else reversed(order):
            measured[name].append(_cpu_ms_per_task(apps[name], tasks))
    redis.Redis.from_url(url).delete(*priority_lists(PREDICT_QUEUE))
    medians = {name: statistics.median(values) for name, values in measured.items()}
    print(
        json.dumps(
            {
                "tasks_per_round": tasks,
                "rounds": ROUNDS,
                "cpu_ms_per_task_median": {name: round(value, 3) for name, value in medians.items()},
                "cpu_ms_per_task_spread": {name: [round(min(v), 3), round(max(v), 3)] for name, v in measured.items()},
                "ratio_reused_to_stock": round(medians["reused_client"] / medians["stock"], 3),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()

"""CPU cost of sealing task bodies (weave_ml.serving.sealed_bodies) against plain JSON; print JSON.

    python -m bench.sealing_probe redis://127.0.0.1:6379/15 [tasks per round]

Two figures per serializer, rounds alternating so drifting background load falls on both alike (medians):
- ``publish``: CPU milliseconds of this process per /predict task published as the gateway publishes one (task-sent
  event on, as configured), into that database, emptied of the queues it filled afterwards;
- ``open``: CPU microseconds to decode a task body as a worker does (kombu's ``loads``), for a task of one message,
  a micro-batch of 8, and the sealed payload of a batch chunk of 100 (``Secrets.open``).
"""

from __future__ import annotations

import json
import os
import secrets
import statistics
import sys
import time
from collections.abc import Callable

import redis
from celery import Celery
from kombu.serialization import dumps, loads

from weave_ml.names import PREDICT_QUEUE, SCORE_MESSAGES_TASK
from weave_ml.serving import sealed_bodies
from weave_ml.serving.queue_depth import priority_lists

ROUNDS = 6
TEXT = "[Web발신] 고객님 택배가 주소불명으로 보관중입니다. 주소 확인 http://han.gl/aB12cd"


def _items(count: int) -> list[dict[str, object]]:
    return [
        {"message": f"{TEXT} {n}", "sender": "010-1234-5678", "hash": "a" * 64, "ids": [f"r{n}"]} for n in range(count)
    ]


def _app(url: str, serializer: str) -> Celery:
    os.environ["REDIS_URL"] = url
    os.environ.setdefault("WEAVE_SECRET_KEYS", secrets.token_urlsafe(32))
    from workers.celery_app import create_celery_app

    app = create_celery_app()
    app.conf.task_serializer = serializer
    return app


def _publish_ms(app: Celery, tasks: int) -> float:
    started = time.process_time()
    for _ in range(tasks):
        app.send_task(
            SCORE_MESSAGES_TASK,
            args=[_items(1), "weave:reply:probe"],
            queue=PREDICT_QUEUE,
            argsrepr="[<1 messages>]",
            expires=5,
            ignore_result=True,
        )
    return (time.process_time() - started) / tasks * 1000


def _us_per_call(call: Callable[[], object], calls: int = 2000) -> float:
    started = time.process_time()
    for _ in range(calls):
        call()
    return (time.process_time() - started) / calls * 1e6


def _open_us(serializer: str, size: int) -> float:
    content_type, encoding, body = dumps([[_items(size), "weave:reply:probe"], {}, {}], serializer=serializer)
    accept = {content_type}
    return _us_per_call(lambda: loads(body, content_type, encoding, accept=accept))


def main() -> None:
    url = sys.argv[1]
    tasks = int(sys.argv[2]) if len(sys.argv) > 2 else 2000
    names = ("json", sealed_bodies.NAME)
    apps = {name: _app(url, name) for name in names}
    for app in apps.values():
        _publish_ms(app, 100)  # connections, declarations, imports
    publish: dict[str, list[float]] = {name: [] for name in names}
    opened: dict[str, dict[int, list[float]]] = {name: {1: [], 8: []} for name in names}
    for round_number in range(ROUNDS):
        for name in names if round_number % 2 == 0 else reversed(names):
            publish[name].append(_publish_ms(apps[name], tasks))
            for size in (1, 8):
                opened[name][size].append(_open_us(name, size))
    redis.Redis.from_url(url).delete(*priority_lists(PREDICT_QUEUE))
    from weave_ml import keys

    chunk = json.dumps(_items(100), ensure_ascii=False).encode()
    sealed_chunk = keys.current().seal(chunk)
    result = {
        "tasks_per_round": tasks,
        "rounds": ROUNDS,
        "publish_cpu_ms_per_task_median": {name: round(statistics.median(v), 4) for name, v in publish.items()},
        "open_cpu_us_median": {
            name: {f"{size}_messages": round(statistics.median(v), 2) for size, v in sizes.items()}
            for name, sizes in opened.items()
        },
        "batch_chunk_of_100": {
            "seal_cpu_us": round(_us_per_call(lambda: keys.current().seal(chunk), 500), 2),
            "open_cpu_us": round(_us_per_call(lambda: keys.current().open(sealed_chunk), 500), 2),
        },
    }
    medians = result["publish_cpu_ms_per_task_median"]
    assert isinstance(medians, dict)
    result["publish_ratio_sealed_to_json"] = round(medians[sealed_bodies.NAME] / medians["json"], 3)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()

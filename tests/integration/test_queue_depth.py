"""The scaler on a real Redis filled by kombu itself (priority sub-lists, tasks taken but unacknowledged), and its
whole step against the replaying fake of the Docker engine."""

from __future__ import annotations

import json
import threading

import pytest
from kombu import Connection, Exchange, Queue

from tests.unit.test_autoscale import RECORDED, ReplayingEngine
from weave_ml.scaling.autoscale import Policy, Scaler
from weave_ml.scaling.docker_engine import DockerEngine
from weave_ml.serving.queue_depth import backlog

pytestmark = pytest.mark.integration


def test_every_priority_list_and_every_reserved_task_counts_other_queues_do_not(redis_server, redis_db):
    url = redis_server.url(redis_db)
    exchange = Exchange("", type="direct")
    queues = {name: Queue(name, exchange, routing_key=name) for name in ("predict", "batch", "training")}
    with Connection(url, transport_options={"queue_order_strategy": "priority"}) as connection:
        producer = connection.Producer()
        for priority, count in ((0, 3), (3, 2), (9, 1)):
            for _ in range(count):
                producer.publish(
                    {"n": 1}, exchange=exchange, routing_key="predict", priority=priority, declare=[queues["predict"]]
                )
        for _ in range(4):
            producer.publish({"n": 1}, exchange=exchange, routing_key="batch", declare=[queues["batch"]])
        for _ in range(5):
            producer.publish({"n": 1}, exchange=exchange, routing_key="training", declare=[queues["training"]])

        client = redis_server.client(redis_db)
        assert client.llen("predict") == 3  # what a plain LLEN sees: half of what waits
        before = backlog(client)
        assert before.queued == {"predict": 6, "batch": 4} and before.unacked == 0 and before.total == 10

        # A consumer takes two scoring tasks and one training task and acknowledges none yet (acks_late).
        channel = connection.default_channel
        taken = [queues[name](channel).get(no_ack=False) for name in ("predict", "batch", "training")]
        after = backlog(client)
        assert after.queued == {"predict": 5, "batch": 3} and after.unacked == 2 and after.total == 10
        for message in taken:
            message.ack()
        assert backlog(client).total == 8


def test_the_scaler_reads_the_backlog_and_scales_the_service_then_holds_within_its_cool_down(
    redis_server, redis_db, tmp_path
):
    url = redis_server.url(redis_db)
    exchange = Exchange("", type="direct")
    with Connection(url) as connection:
        producer = connection.Producer()
        for _ in range(37):
            producer.publish(
                {"n": 1}, exchange=exchange, routing_key="batch", declare=[Queue("batch", exchange, "batch")]
            )
    engine = ReplayingEngine(str(tmp_path / "docker.sock"), json.loads(RECORDED.read_text())["exchanges"])
    threading.Thread(target=engine.serve_forever, daemon=True).start()
    try:
        client = redis_server.client(redis_db)
        scaler = Scaler(client, DockerEngine(engine.url), "weave-ml_ml-worker", Policy(1, 8, 10, 60))
        first = scaler.step()
        assert (first["waiting"], first["replicas"], first["action"], first["target"]) == (37, 2, "scale", 4)
        posted = [body for method, _, body in engine.received if method == "POST"]
        assert [spec["Mode"]["Replicated"]["Replicas"] for spec in posted] == [4]
        # The recorded engine still says 2 replicas: a second step wants 4 again, but the cool-down holds it.
        second = scaler.step()
        assert second["action"] == "hold" and "cool-down 60 s" in second["reason"]
        assert len([method for method, _, _ in engine.received if method == "POST"]) == 1
    finally:
        engine.shutdown()
        engine.server_close()

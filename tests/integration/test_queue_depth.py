"""The scaler's signal on a real Redis filled by kombu itself: priority sub-lists, tasks taken but unacknowledged."""

from __future__ import annotations

import itertools

import pytest
from kombu import Connection, Exchange, Queue

from weave_ml.queue_depth import backlog

pytestmark = pytest.mark.integration

# Far from the databases the shared stacks of the session take (they count up from 1).
_databases = itertools.count(900)


def test_every_priority_list_and_every_reserved_task_counts_other_queues_do_not(redis_server):
    url = redis_server.url(next(_databases))
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

        client = redis_server.client(int(url.rsplit("/", 1)[1]))
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

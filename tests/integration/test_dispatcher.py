"""Micro-batching in the gateway, against a real Redis; the Celery publish is replaced by a recorder."""

import threading
import time

import pytest
import redis

from api.dispatcher import BrokerUnavailable, Dispatcher, NotScored
from devstack.processes import wait_until
from weave_ml.model.predictions import Score
from weave_ml.serving import replies

pytestmark = pytest.mark.integration


@pytest.fixture
def results(redis_server, redis_db) -> redis.Redis:
    return redis_server.client(redis_db)


class Recorder:
    """Stands in for the Celery publish: remembers each batch, and can answer it like a worker would."""

    def __init__(self, results: redis.Redis) -> None:
        self.results = results
        self.batches: list[tuple[list[dict], str]] = []
        self.sent = threading.Event()

    def __call__(self, items, reply_to) -> None:
        self.batches.append((items, reply_to))
        self.sent.set()

    def answer(self, index: int, error: str | None = None) -> None:
        items, reply_to = self.batches[index]
        answers = [(rid, error or Score(item["message"], 0.9, (), "v1")) for item in items for rid in item["ids"]]
        replies.send(self.results, reply_to, answers)


@pytest.fixture
def dispatchers():
    made: list[Dispatcher] = []

    def make(*args, **kwargs) -> Dispatcher:
        made.append(Dispatcher(*args, **kwargs))
        return made[-1]

    yield make
    for dispatcher in made:
        dispatcher.close()

    def stopped() -> bool:
        return not any(thread.name.startswith("dispatch-") for thread in threading.enumerate())

    # No thread of theirs may outlive the test's Redis database.
    wait_until(stopped, 10, "the dispatchers' threads to stop")


def test_requests_gather_while_a_batch_is_in_flight(results, dispatchers):
    recorder = Recorder(results)
    dispatcher = dispatchers(recorder, results, max_in_flight=1)
    first = dispatcher.submit("a", None, "h-a")
    wait_until(lambda: len(recorder.batches) == 1, 5, "the first batch")
    assert [item["message"] for item in recorder.batches[0][0]] == ["a"]  # a lone request is sent at once

    later = [dispatcher.submit(text, None, f"h-{text}") for text in "bcdb"]
    time.sleep(0.2)  # time enough to send a second batch, which it must not
    assert len(recorder.batches) == 1  # held back while the first batch is out
    recorder.answer(0)
    assert first.done.wait(5) and first.score.message_hash == "a"
    wait_until(lambda: len(recorder.batches) == 2, 5, "the second batch")
    items = recorder.batches[1][0]
    assert [item["message"] for item in items] == ["b", "c", "d"]  # identical texts travel once
    assert len(items[0]["ids"]) == 2
    recorder.answer(1)
    for waiter in later:
        assert waiter.done.wait(5) and waiter.score.probability == 0.9


def test_a_batch_that_never_answers_frees_its_slot(results, dispatchers):
    recorder = Recorder(results)
    dispatcher = dispatchers(recorder, results, max_in_flight=1, in_flight_timeout_s=0.3)
    dispatcher.submit("lost", None, "h-lost")
    wait_until(lambda: len(recorder.batches) == 1, 5, "the first batch")
    dispatcher.submit("next", None, "h-next")
    wait_until(lambda: len(recorder.batches) == 2, 3, "the next batch, once the first one's slot is freed")


def test_a_failed_publish_fails_the_waiters_and_the_loop_goes_on(results, dispatchers):
    calls = []

    def broken(items, reply_to):
        calls.append(items)
        if len(calls) == 1:
            raise ConnectionError("broker down")

    dispatcher = dispatchers(broken, results)
    waiter = dispatcher.submit("x", None, "h-x")
    assert waiter.done.wait(5) and isinstance(waiter.error, BrokerUnavailable)
    dispatcher.submit("y", None, "h-y")
    wait_until(lambda: len(calls) == 2, 5, "the publish after the failed one")


def test_failed_publishes_leave_no_bookkeeping_behind(results, dispatchers):
    def broken(items, reply_to):
        raise ConnectionError("broker down")

    dispatcher = dispatchers(broken, results)
    waiters = [dispatcher.submit(f"m{i}", None, f"h-{i}") for i in range(2000)]
    for waiter in waiters:
        assert waiter.done.wait(5) and isinstance(waiter.error, BrokerUnavailable)
    assert dispatcher.in_flight() == (0, 0)


def test_a_lost_batch_is_forgotten_once_its_deadline_passed(results, dispatchers):
    recorder = Recorder(results)
    dispatcher = dispatchers(recorder, results, in_flight_timeout_s=0.3)
    for text in "abc":
        dispatcher.submit(text, None, f"h-{text}")
    # All three sent (the last perhaps only once the first batch's deadline freed a slot), seen well before theirs.
    wait_until(lambda: sum(len(items) for items, _ in recorder.batches) == 3, 5, "all three sent", interval_s=0.005)
    assert dispatcher.in_flight()[0] >= 1
    time.sleep(0.4)  # nobody answers: the task expired, or its worker died
    assert dispatcher.in_flight() == (0, 0)


def test_a_message_the_worker_could_not_score_fails_its_waiter(results, dispatchers):
    recorder = Recorder(results)
    dispatcher = dispatchers(recorder, results)
    waiter = dispatcher.submit("slow", None, "h-slow")
    wait_until(lambda: recorder.batches, 5, "the batch")
    recorder.answer(0, error="timeout")
    assert waiter.done.wait(5) and isinstance(waiter.error, NotScored) and waiter.error.code == "timeout"


def test_cached_scores_are_looked_up_once_per_batch_and_never_sent(results, dispatchers):
    recorder = Recorder(results)
    cached = {"h-hit1": Score("h-hit1", 0.2, (), "v1"), "h-hit2": Score("h-hit2", 0.3, (), "v1")}
    look_ups: list[list[str]] = []

    def look_up(hashes):
        look_ups.append(hashes)
        return [cached.get(digest) for digest in hashes]

    queued = threading.Event()

    def publish(items, reply_to):
        recorder(items, reply_to)
        # The first publish lasts until the next four are queued, so they gather as one: a hit that came after a miss
        # already waiting for the slot would wait with it.
        queued.wait(5)

    dispatcher = dispatchers(publish, results, max_in_flight=1, look_up=look_up)
    first = dispatcher.submit("a", None, "h-a")
    wait_until(lambda: len(recorder.batches) == 1, 5, "the first batch")
    # While the first batch is out, hits and misses gather; hits are answered without waiting for its slot.
    later = [dispatcher.submit(text, None, f"h-{text}") for text in ("hit1", "b", "hit2", "c")]
    queued.set()
    assert later[0].done.wait(5) and later[2].done.wait(5)
    assert (later[0].cached, later[0].score.probability, later[2].score.probability) == (True, 0.2, 0.3)
    assert not later[1].done.is_set() and len(recorder.batches) == 1
    recorder.answer(0)
    assert first.done.wait(5) and first.cached is False
    wait_until(lambda: len(recorder.batches) == 2, 5, "the batch of the misses")
    assert [item["message"] for item in recorder.batches[1][0]] == ["b", "c"]  # only the misses go to a worker
    recorder.answer(1)
    assert later[1].done.wait(5) and later[1].cached is False
    # One look-up per gathering, not one per request.
    assert sum(len(hashes) for hashes in look_ups) == 5 and len(look_ups) < 5


def test_a_failing_look_up_sends_everything_to_a_worker(results, dispatchers):
    recorder = Recorder(results)

    def look_up(hashes):
        raise OSError("cache gone")

    dispatcher = dispatchers(recorder, results, look_up=look_up)
    waiter = dispatcher.submit("x", None, "h-x")
    wait_until(lambda: recorder.batches, 5, "the batch")
    recorder.answer(0)
    assert waiter.done.wait(5) and waiter.score is not None and waiter.cached is False

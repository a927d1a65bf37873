"""The pauses before ``make run`` starts again a process that exited."""

from devstack.supervisor import Backoff


def test_a_process_that_keeps_exiting_soon_waits_twice_as_long_each_time_up_to_the_longest():
    backoff = Backoff(first_s=1, longest_s=30, healthy_after_s=60)
    assert [backoff.pause_after(ran_for_s=2) for _ in range(7)] == [1, 2, 4, 8, 16, 30, 30]


def test_a_process_that_ran_long_enough_starts_again_after_the_first_pause():
    backoff = Backoff(first_s=1, longest_s=30, healthy_after_s=60)
    for _ in range(4):
        backoff.pause_after(ran_for_s=0.5)
    assert backoff.pause_after(ran_for_s=3600) == 1
    assert backoff.pause_after(ran_for_s=0.5) == 2

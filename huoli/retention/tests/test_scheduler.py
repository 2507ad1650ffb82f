"""The embedded default's daily purge: a thread that purges once a day and keeps going when
one purge fails."""

import threading
from contextlib import contextmanager

from huoli.retention import scheduler

NAMES = ["huoli-callbacks", "huoli-purge", "huoli-queue-sweep"]


@contextmanager
def scheduler_running():
    """The scheduler's threads started now, by name; on leaving, all of them are stopped and
    joined: a test that looked at one only left the other two to end when they got to it,
    and the next test found two threads of a name (one run in a few)."""
    before = set(threading.enumerate())
    stop = scheduler.start_daily_purge()
    started = [t for t in threading.enumerate() if t not in before and t.name in NAMES]
    try:
        assert sorted(thread.name for thread in started) == NAMES  # one of each
        yield {thread.name: thread for thread in started}
    finally:
        stop.set()
        for thread in started:
            thread.join(5)
    assert not any(thread.is_alive() for thread in started)
    assert all(thread.daemon for thread in started)  # never keep the server from stopping


def test_the_daily_thread_purges_each_day_and_survives_a_failed_purge(monkeypatch):
    runs = []
    third = threading.Event()

    def purge():
        runs.append(len(runs))
        if len(runs) == 1:
            raise RuntimeError("the database refused")
        if len(runs) == 3:
            third.set()
        return {}

    monkeypatch.setattr(scheduler, "DAY_SECONDS", 0.01)
    monkeypatch.setattr(scheduler, "purge", purge)
    with scheduler_running():
        assert third.wait(5)


def test_a_second_thread_closes_the_call_backs_that_are_due_every_few_minutes(monkeypatch):
    runs = []
    second = threading.Event()

    def close_due(**_times):
        runs.append(len(runs))
        if len(runs) == 1:
            raise RuntimeError("the database refused")
        second.set()
        return 0

    monkeypatch.setattr(scheduler, "CALLBACK_SECONDS", 0.01)
    monkeypatch.setattr(scheduler, "callbacks_due_closed", close_due)
    with scheduler_running():
        assert second.wait(5)


def test_a_third_thread_turns_waiting_chats_into_messages_every_minute(monkeypatch):
    """While the line is closed (issue 18): the sweep runs again after a failure."""
    runs = []
    second = threading.Event()

    def sweep():
        runs.append(len(runs))
        if len(runs) == 1:
            raise RuntimeError("the database refused")
        second.set()
        return 0

    monkeypatch.setattr(scheduler, "QUEUE_SWEEP_SECONDS", 0.01)
    monkeypatch.setattr(scheduler, "waiting_chats_to_messages", sweep)
    with scheduler_running():
        assert second.wait(5)

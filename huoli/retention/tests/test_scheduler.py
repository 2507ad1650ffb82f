"""The embedded default's daily purge: a thread that purges once a day and keeps going when
one purge fails."""

import threading

from huoli.retention import scheduler


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
    stop = scheduler.start_daily_purge()
    [thread] = [t for t in threading.enumerate() if t.name == "huoli-purge"]
    try:
        assert third.wait(5)
    finally:
        stop.set()
    thread.join(5)
    assert not thread.is_alive()
    assert thread.daemon  # never keeps the server from stopping


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
    stop = scheduler.start_daily_purge()
    [thread] = [t for t in threading.enumerate() if t.name == "huoli-callbacks"]
    try:
        assert second.wait(5)
    finally:
        stop.set()
    thread.join(5)
    assert not thread.is_alive() and thread.daemon


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
    stop = scheduler.start_daily_purge()
    [thread] = [t for t in threading.enumerate() if t.name == "huoli-queue-sweep"]
    try:
        assert second.wait(5)
    finally:
        stop.set()
    thread.join(5)
    assert not thread.is_alive() and thread.daemon

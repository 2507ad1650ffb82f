"""The embedded default's schedule, in background threads of the server (`make run` turns it
on with HUOLI_PURGE_DAILY=1): the purge once a day, and every minute the call-back
requests whose times are over are closed (their numbers deleted) and the consoles told
of those whose time came, and while chats are closed the chats still waiting become
messages answered later. Production runs `manage.py purge`, `manage.py purge --call-backs`
and `manage.py queue_sweep` from systemd timers or cron instead (README)."""

from __future__ import annotations

import logging
import threading

from django.db import close_old_connections
from django.utils import timezone

from huoli.conversations.services.queue import waiting_chats_to_messages
from huoli.retention.services import callbacks_due_closed, purge

logger = logging.getLogger(__name__)
DAY_SECONDS = 24 * 60 * 60
CALLBACK_SECONDS = 60
QUEUE_SWEEP_SECONDS = 60


class _Since:
    """The moment of the last run, for the call-back windows that opened since."""

    def __init__(self):
        self.last = timezone.now()

    def __call__(self):
        now = timezone.now()
        since, self.last = self.last, now
        return callbacks_due_closed(now=now, opened_since=since)


def _loop(stop: threading.Event, seconds: float, work, name: str) -> None:
    while not stop.wait(seconds):
        try:
            close_old_connections()
            result = work()
            if result:
                logger.info("%s: %s", name, result)
        except Exception:  # a failed run must not stop the server; it runs again next time
            logger.exception("the %s failed", name)
        finally:
            close_old_connections()


def start_daily_purge() -> threading.Event:
    """Start the threads; setting the returned event stops them."""
    stop = threading.Event()
    threading.Thread(
        target=_loop,
        args=(stop, DAY_SECONDS, lambda: purge(), "retention purge"),
        name="huoli-purge",
        daemon=True,
    ).start()
    threading.Thread(
        target=_loop,
        args=(stop, CALLBACK_SECONDS, _Since(), "call-back requests"),
        name="huoli-callbacks",
        daemon=True,
    ).start()
    threading.Thread(
        target=_loop,
        args=(
            stop,
            QUEUE_SWEEP_SECONDS,
            lambda: waiting_chats_to_messages(),
            "waiting chats to messages",
        ),
        name="huoli-queue-sweep",
        daemon=True,
    ).start()
    return stop

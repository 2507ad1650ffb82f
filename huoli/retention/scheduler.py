"""The embedded default's schedule, in background threads of the server (`make run` turns it
on with HUOLI_PURGE_DAILY=1): the purge once a day, and every few minutes the call-back
requests whose times are over are closed (their numbers deleted). Production runs
`manage.py purge` and `manage.py purge --call-backs` from systemd timers or cron instead
(README)."""

from __future__ import annotations

import logging
import threading

from django.db import close_old_connections

from huoli.retention.services import callbacks_due_closed, purge

logger = logging.getLogger(__name__)
DAY_SECONDS = 24 * 60 * 60
CALLBACK_SECONDS = 5 * 60


def _loop(stop: threading.Event, seconds: float, work, name: str) -> None:
    while not stop.wait(seconds):
        try:
            close_old_connections()
            result = work()
            logger.info("%s: %s", name, result)
        except Exception:  # a failed run must not stop the server; it runs again next time
            logger.exception("the %s failed", name)
        finally:
            close_old_connections()


def start_daily_purge() -> threading.Event:
    """Start both threads; setting the returned event stops them."""
    stop = threading.Event()
    threading.Thread(
        target=_loop,
        args=(stop, DAY_SECONDS, lambda: purge(), "retention purge"),
        name="huoli-purge",
        daemon=True,
    ).start()
    threading.Thread(
        target=_loop,
        args=(stop, CALLBACK_SECONDS, lambda: callbacks_due_closed(), "call-back expiry"),
        name="huoli-callbacks",
        daemon=True,
    ).start()
    return stop

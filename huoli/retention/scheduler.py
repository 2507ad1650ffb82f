"""The embedded default's schedule: purge once a day in a background thread of the server
(`make run` turns it on with HUOLI_PURGE_DAILY=1). Production runs `manage.py purge` from
cron or a systemd timer instead (README)."""

from __future__ import annotations

import logging
import threading

from django.db import close_old_connections

from huoli.retention.services import purge

logger = logging.getLogger(__name__)
DAY_SECONDS = 24 * 60 * 60


def _loop(stop: threading.Event) -> None:
    while not stop.wait(DAY_SECONDS):
        try:
            close_old_connections()
            counts = purge()
            logger.info("retention purge: %s", counts)
        except Exception:  # a failed purge must not stop the server; it runs again tomorrow
            logger.exception("the retention purge failed")
        finally:
            close_old_connections()


def start_daily_purge() -> threading.Event:
    stop = threading.Event()
    threading.Thread(target=_loop, args=(stop,), name="huoli-purge", daemon=True).start()
    return stop

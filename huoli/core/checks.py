"""System checks that stop an unsafe production start (``manage.py check``, migrate, ASGI).

Threats answered: a production installation that quietly runs several workers without Redis
(each worker would keep its own return-code guessing limits, its own flood-switch tickets,
which would then work once per worker, and its own channel layer, so a message reaches only
the people connected to the same worker), and one that serves without the HTTPS redirect or
HSTS, so a first visit or a downgraded link goes over plain HTTP (decision 0023).
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from concurrent.futures import ThreadPoolExecutor

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.checks import Error, register
from django.db import DatabaseError


def production_problems() -> list[str]:
    if not settings.PRODUCTION:
        return []
    problems = []
    if settings.DEBUG:
        problems.append("DEBUG is on (unset HUOLI_DEBUG).")
    if settings.HUOLI_DEMO:
        problems.append("Demo mode is on (unset HUOLI_DEMO).")
    if not settings.REDIS_URL:
        if not settings.HUOLI_SINGLE_PROCESS:
            problems.append(
                "REDIS_URL is not set: with several workers the guessing limits, the flood "
                "switch's single-use tickets and the channel layer would each be per process. "
                "Set REDIS_URL, or HUOLI_SINGLE_PROCESS=1 if exactly one worker runs."
            )
        elif workers := several_workers():
            problems.append(
                f"HUOLI_SINGLE_PROCESS=1 but several workers are starting ({workers}): "
                "set REDIS_URL, or run one worker."
            )
    if not settings.SECURE_SSL_REDIRECT:
        problems.append(
            "HTTPS redirect is off (HUOLI_SSL_REDIRECT=0): a visitor's first request could "
            "go over plain HTTP. Behind a proxy it is harmless (X-Forwarded-Proto is trusted)."
        )
    if settings.SECURE_HSTS_SECONDS <= 0:
        problems.append(
            "HSTS is off (HUOLI_HSTS_SECONDS=0): browsers would accept a downgrade to plain "
            "HTTP. Unset HUOLI_HSTS_SECONDS for one year."
        )
    User = get_user_model()

    try:
        if User.objects.filter(is_demo=True).exists():
            problems.append(
                "Demo accounts are present: delete them with `manage.py demo_data --delete` or "
                "use a fresh database."
            )
    except DatabaseError:
        pass  # not migrated yet: nothing to find
    return problems


def several_workers() -> str:
    """Why this process looks like one of several workers, or "" when it does not.

    uvicorn sets nothing for ``--workers N``, but it reads ``WEB_CONCURRENCY`` as the default
    for it (so does gunicorn), and its supervisor spawns each worker with multiprocessing,
    which gives the worker a parent process. A reloader looks the same, and is not for
    production either."""
    concurrency = os.environ.get("WEB_CONCURRENCY", "").strip()
    if concurrency.isdigit() and int(concurrency) > 1:
        return f"WEB_CONCURRENCY={concurrency}"
    if multiprocessing.parent_process() is not None:
        return "this process was started by a server's supervisor"
    return ""


@register()
def check_production_profile(app_configs, **kwargs):
    return [
        Error(problem, hint="The production profile refuses to start.", id="huoli.E001")
        for problem in production_problems()
    ]


def assert_safe_to_serve() -> None:
    """Called by the ASGI entry point: servers like uvicorn do not run system checks.

    Runs in a worker thread because the server may import the application inside its
    event loop, where Django refuses database queries.
    """
    with ThreadPoolExecutor(max_workers=1) as pool:
        problems = pool.submit(production_problems).result()
    if problems:
        print("Huoli refuses to start in production: " + " ".join(problems), file=sys.stderr)
        # uvicorn's "startup failure" code: its supervisor then stops instead of starting
        # the refused worker again and again.
        raise SystemExit(3)

"""System checks that stop an unsafe production start (``manage.py check``, migrate, ASGI)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from django.conf import settings
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
    from huoli.accounts.models import User

    try:
        if User.objects.filter(is_demo=True).exists():
            problems.append(
                "Demo accounts are present: delete them with `manage.py demo_data --delete` or "
                "use a fresh database."
            )
    except DatabaseError:
        pass  # not migrated yet: nothing to find
    return problems


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
        raise SystemExit("Huoli refuses to start in production: " + " ".join(problems))

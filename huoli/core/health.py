"""``/healthz``: what a monitor (and ``deploy/upgrade``, between restarts) asks a worker.

It reads, never writes: one ``SELECT 1`` on the database and one cache read (with Redis
configured, the server the channel layer uses too). It sets no cookie, names no person and
is exempt from the HTTPS redirect, so a monitor on the server itself can ask a worker on
loopback directly (``SECURE_REDIRECT_EXEMPT`` in settings). 200 when both answer, 503 when
either does not; the body says which, in a word.
"""

from __future__ import annotations

from django.core.cache import cache
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe


def _database() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except DatabaseError:
        return False


def _cache() -> bool:
    try:
        cache.get("health")  # a read: a missing key is an answer too
    except Exception:  # any client error of any cache backend means "not answering"
        return False
    return True


@never_cache
@require_safe
def health(request):
    checks = {"database": _database(), "cache": _cache()}
    healthy = all(checks.values())
    return JsonResponse(
        {
            "status": "ok" if healthy else "unavailable",
            **{name: "ok" if ok else "unavailable" for name, ok in checks.items()},
        },
        status=200 if healthy else 503,
    )

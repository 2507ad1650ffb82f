from __future__ import annotations

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.utils.cache import add_never_cache_headers


class NoStoreMiddleware:
    """``Cache-Control: no-store`` on staff pages and conversation pages.

    Threat answered: a shared or watched device, or a proxy, keeping a copy of a page that
    shows a conversation or staff data (promise 1).
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.prefixes = tuple(settings.HUOLI_NO_STORE_PREFIXES)

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith(self.prefixes):
            add_never_cache_headers(response)
            response["Cache-Control"] = "no-store, no-cache, must-revalidate, private, max-age=0"
        return response


class DatabaseUnavailableMiddleware:
    """A database that is away for a moment (restarting, locked, unreachable) gives a clear,
    translated "try again" page with ``503`` and ``Retry-After``, not a server error
    (promise 7). Nothing was committed, so nothing the visitor saw as sent is lost."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        from huoli.core.errors import database_unavailable

        return database_unavailable(request)

from __future__ import annotations

from django.conf import settings
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

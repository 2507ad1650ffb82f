from __future__ import annotations

from urllib.parse import urlsplit

from csp.middleware import CSPMiddleware as BaseCSPMiddleware
from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.utils.translation.trans_real import parse_accept_lang_header

from huoli.core.robots import NOINDEX, request_indexable


class NoStoreMiddleware:
    """``Cache-Control: no-store`` on staff pages and conversation pages.

    Threat answered: a shared or watched device, or a proxy, keeping a copy of a page that
    shows a conversation or staff data (promise 1, docs/design.md).
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.prefixes = tuple(settings.HUOLI_NO_STORE_PREFIXES)
        self.languages = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        response = self.get_response(request)
        # Public pages carry their language first (/ar/conversation/): look past it.
        path = request.path
        first, _slash, rest = path.lstrip("/").partition("/")
        if first in self.languages:
            path = "/" + rest
        if path.startswith(self.prefixes):
            add_never_cache_headers(response)
            response["Cache-Control"] = "no-store, no-cache, must-revalidate, private, max-age=0"
        return response


class RobotsTagMiddleware:
    """``X-Robots-Tag: noindex`` on every answer but an indexable page's 200 (and redirects,
    which have nothing to index), unless the view set its own header (the sitemap).

    Threat answered: a conversation, return or staff page (or an error page naming one)
    turning up in a search engine because some link to it leaked."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if 300 <= response.status_code < 400 or "X-Robots-Tag" in response.headers:
            return response
        if response.status_code != 200 or not request_indexable(request):
            response.headers["X-Robots-Tag"] = NOINDEX
        return response


def sip_websocket_source() -> str:
    """The SIP server's WebSocket origin (``ws://127.0.0.1:5066``) for ``connect-src``, or
    "" while telephony is off or the address is not a ws:/wss: URL."""
    if not settings.HUOLI_TELEPHONY:
        return ""
    parts = urlsplit(settings.HUOLI_SIP_WS_URL)
    if parts.scheme not in ("ws", "wss") or not parts.netloc:
        return ""
    return f"{parts.scheme}://{parts.netloc}"


class CSPMiddleware(BaseCSPMiddleware):
    """django-csp's policy, plus the SIP server's WebSocket in ``connect-src`` on the pages
    with a softphone (every console page, the public call page) while telephony is on.

    Threat answered: a script injected into any other page talking to the SIP server."""

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only)
        source = "" if report_only else sip_websocket_source()
        if source and _has_softphone(request):
            update = dict(parts.update or {})
            update["connect-src"] = [*update.get("connect-src", []), source]
            parts.update = update
        return parts


def _has_softphone(request) -> bool:
    if request.path_info.startswith("/console/"):
        return True
    match = getattr(request, "resolver_match", None)
    return match is not None and match.view_name == "public:call"


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
        from huoli.core.error_views import database_unavailable

        return database_unavailable(request)


class LanguageMiddleware(LocaleMiddleware):
    """Django's locale middleware, with the console kept to the staff languages.

    Public pages take their language from the address (``/ar/...``); an address without one
    is redirected to the browser's preferred language, so the first visit needs no choice and
    no cookie. The console reads its own cookie (path ``/console/``), then the browser's
    preference among the staff languages, then Finnish."""

    def process_request(self, request):
        if not request.path_info.startswith("/console/"):
            return super().process_request(request)
        staff = settings.HUOLI_STAFF_LANGUAGES
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if chosen not in staff:
            accepted = request.META.get("HTTP_ACCEPT_LANGUAGE", "")
            chosen = next(
                (
                    code.split("-")[0]
                    for code, _quality in parse_accept_lang_header(accepted)
                    if code.split("-")[0] in staff
                ),
                settings.LANGUAGE_CODE,
            )
        translation.activate(chosen)
        request.LANGUAGE_CODE = chosen

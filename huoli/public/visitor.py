"""The visitor's identity: their only cookie, set when a conversation starts and read here
alone, for the pages and the socket (``consumers.py``) alike; and the checks on public posts.

Threat answered: someone else on the visitor's device or a hostile site (docs/threat-model.md).
The cookie holds a random token (its hash is stored, never the token); it is HttpOnly,
SameSite=Strict and lasts only for the browser session. Public forms are not protected with
Django's CSRF cookie (staff cookies never reach public paths, decision 0003): SameSite=Strict
keeps the cookie off cross-site requests, and posts from another origin are refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import wraps

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.http.cookie import parse_cookie
from django.views.decorators.csrf import csrf_exempt

from huoli.conversations.selectors import conversation_for_token


def _scope_cookies(scope: Mapping) -> dict[str, str]:
    """The cookies of an ASGI scope read exactly as Django reads a request's: every ``Cookie``
    header joined with "," (as ``ASGIRequest`` builds ``HTTP_COOKIE``), then ``parse_cookie``.
    Channels' ``CookieMiddleware`` reads only the first header, so two headers would make the
    page and the socket disagree."""
    raw = ",".join(
        value.decode("latin1") for name, value in scope.get("headers", []) if name == b"cookie"
    )
    return parse_cookie(raw)


def visitor_token(source: HttpRequest | Mapping) -> str | None:
    """The visitor's browser token, from a request (the pages) or an ASGI scope (the socket);
    None without the cookie, "" for an emptied one. Both read the ``Cookie`` headers the same
    way (``request.COOKIES``; ``_scope_cookies``), so the page and the socket know the same
    visitor."""
    cookies = source.COOKIES if isinstance(source, HttpRequest) else _scope_cookies(source)
    return cookies.get(settings.HUOLI_VISITOR_COOKIE)


def conversation_from_request(request):
    return conversation_for_token(visitor_token(request))


def set_visitor_cookie(response, token: str) -> None:
    response.set_cookie(
        settings.HUOLI_VISITOR_COOKIE,
        token,
        max_age=None,
        path="/",
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Strict",
    )


def clear_visitor_cookie(response) -> None:
    response.delete_cookie(settings.HUOLI_VISITOR_COOKIE, path="/", samesite="Strict")


def same_origin_post(view):
    """POSTs must come from our own pages: the Origin header, when sent, must be this site."""

    @csrf_exempt
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.method == "POST":
            origin = request.headers.get("Origin")
            scheme = "https" if request.is_secure() else "http"
            if origin is not None and origin != f"{scheme}://{request.get_host()}":
                raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped

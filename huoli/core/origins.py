"""The websocket origin check: a socket opens only for a page of the site itself.

Threat answered: cross-site websocket hijacking (issue 13, point 8). A browser sends the
page's origin with every websocket and the staff socket's cookie with it, so a page
elsewhere (or on another port or scheme of the same host) could otherwise speak for a
logged-in counsellor or a visitor. Channels' ``AllowedHostsOriginValidator`` compares the
host only. Here the Origin must equal the scheme, host and port the socket itself was
opened on (``wss`` is https; Django's ``SECURE_PROXY_SSL_HEADER`` is honoured as for HTTP),
on a host in ``ALLOWED_HOSTS`` (so a rebound DNS name does not pass), or be named exactly in
``CSRF_TRUSTED_ORIGINS``. A missing Origin is refused.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from channels.security.websocket import WebsocketDenier
from django.conf import settings
from django.http.request import split_domain_port, validate_host

DEFAULT_PORTS = {"http": 80, "https": 443}


def _origin(scheme: str, host: str, port: int | None) -> tuple[str, str, int] | None:
    if scheme not in DEFAULT_PORTS or not host:
        return None
    return scheme, host.lower().rstrip("."), port or DEFAULT_PORTS[scheme]


def parse_origin(value: str) -> tuple[str, str, int] | None:
    """(scheme, host, port) of an origin such as ``https://example.org:8443``, else None."""
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError:
        return None
    if parts.path or parts.query or parts.fragment or parts.username or parts.password:
        return None
    return _origin(parts.scheme.lower(), parts.hostname or "", port)


def _header(scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return value.decode("latin1")
    return None


def _scheme(scope) -> str:
    scheme = "https" if scope.get("scheme") in ("wss", "https") else "http"
    proxy = getattr(settings, "SECURE_PROXY_SSL_HEADER", None)
    if proxy:
        name, secure = proxy
        header = name.removeprefix("HTTP_").lower().replace("_", "-").encode()
        forwarded = _header(scope, header)
        if forwarded is not None:
            scheme = "https" if forwarded.split(",")[0].strip() == secure else "http"
    return scheme


def own_origin(scope) -> tuple[str, str, int] | None:
    """The origin of the socket's own address, if its Host is one this site serves."""
    host = _header(scope, b"host")
    if not host:
        return None
    domain, port = split_domain_port(host)
    if not domain or not validate_host(domain, settings.ALLOWED_HOSTS):
        return None
    try:
        port_number = int(port) if port else None
    except ValueError:
        return None
    return _origin(_scheme(scope), domain, port_number)


def origin_allowed(scope) -> bool:
    origin = _header(scope, b"origin")
    if not origin:
        return False
    if origin in settings.CSRF_TRUSTED_ORIGINS:
        return True
    parsed = parse_origin(origin)
    return parsed is not None and parsed == own_origin(scope)


class SameOriginValidator:
    """ASGI middleware for websockets: refuses (HTTP 403 at the handshake) any socket whose
    Origin is not the site's own."""

    def __init__(self, application):
        self.application = application

    async def __call__(self, scope, receive, send):
        if scope["type"] == "websocket" and not origin_allowed(scope):
            return await WebsocketDenier()(scope, receive, send)
        return await self.application(scope, receive, send)

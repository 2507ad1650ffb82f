"""Both websockets open only for a page of the site itself: the Origin must equal the scheme,
host and port the socket was opened on (issue 13, point 8). Through the full ASGI
application, with a real conversation cookie and a real staff session."""

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings

from huoli.asgi import application
from huoli.console.tests.test_consumers import staff_session
from huoli.conversations.tests.factories import chat_start
from huoli.core.roles import Role

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(params=["visitor", "staff"])
async def socket_to(request):
    """``open(origin, host=..., scheme=..., extra=[...])`` -> connected?, for either socket."""
    if request.param == "visitor":
        access = await database_sync_to_async(chat_start)(language="fi")
        path, cookie = "/chat/ws/", f"{settings.HUOLI_VISITOR_COOKIE}={access.token}"
    else:
        _user, key = await staff_session(role=Role.COUNSELLOR)
        path, cookie = "/console/ws/", f"{settings.SESSION_COOKIE_NAME}={key}"

    async def open_socket(origin, *, host="127.0.0.1:8000", scheme="ws", extra=()):
        headers = [(b"host", host.encode()), (b"cookie", cookie.encode()), *extra]
        if origin is not None:
            headers.append((b"origin", origin.encode()))
        socket = WebsocketCommunicator(application, path, headers=headers)
        socket.scope["scheme"] = scheme
        connected, _code = await socket.connect(timeout=10)
        await socket.disconnect()
        return connected

    return open_socket


async def test_the_sites_own_origin_opens_the_socket(socket_to):
    assert await socket_to("http://127.0.0.1:8000")


@pytest.mark.parametrize(
    "origin",
    [
        "http://127.0.0.1:9999",  # another port on the same host
        "https://127.0.0.1:8000",  # another scheme
        "https://127.0.0.1",
        "http://127.0.0.1",
        "http://localhost:8000",  # an allowed host, but not this one
        "https://evil.example",
        "null",
        "http://127.0.0.1:8000.evil.example",
        None,  # no Origin at all
    ],
)
async def test_any_other_origin_is_refused(socket_to, origin):
    assert not await socket_to(origin)


async def test_behind_a_proxy_the_forwarded_scheme_counts(socket_to, settings):
    settings.ALLOWED_HOSTS = ["huoli.example"]
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    proxied = [(b"x-forwarded-proto", b"https")]
    # The server set the scheme from the proxy (uvicorn --proxy-headers) ...
    assert await socket_to("https://huoli.example", host="huoli.example", scheme="wss")
    # ... or Django's own setting names the proxy's header.
    assert await socket_to("https://huoli.example", host="huoli.example", extra=proxied)
    assert not await socket_to("http://huoli.example", host="huoli.example", extra=proxied)
    assert not await socket_to("http://huoli.example", host="huoli.example", scheme="wss")
    assert not await socket_to("https://huoli.example:8443", host="huoli.example", scheme="wss")


async def test_a_host_the_site_does_not_serve_is_refused_even_when_it_matches(socket_to):
    """DNS rebinding: a page on evil.example whose name now points at our server."""
    assert not await socket_to("http://evil.example:8000", host="evil.example:8000")


async def test_an_origin_named_in_csrf_trusted_origins_is_accepted(socket_to, settings):
    settings.CSRF_TRUSTED_ORIGINS = ["https://huoli.example"]
    assert await socket_to("https://huoli.example")
    assert not await socket_to("https://other.example")

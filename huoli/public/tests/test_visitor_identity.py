"""The visitor's page and the visitor's socket know the visitor by the same cookie, read in one
place (``public.visitor.visitor_token``): a cookie the page accepts opens the socket to the
same conversation, and a tampered, truncated or absent one is refused by both. Both are
reached through the project's real ASGI application with the same raw ``Cookie`` header."""

from http.cookies import SimpleCookie
from urllib.parse import urlencode

import pytest
from channels.db import database_sync_to_async
from channels.testing import HttpCommunicator, WebsocketCommunicator
from django.conf import settings

from huoli.asgi import application
from huoli.conversations.models import Conversation
from huoli.conversations.services.queue import duty_set
from huoli.core.roles import Role
from huoli.helpline.services import opening_hours_around_the_clock

pytestmark = pytest.mark.django_db(transaction=True)

HOST = [(b"host", b"127.0.0.1:8000"), (b"origin", b"http://127.0.0.1:8000")]
NAME = settings.HUOLI_VISITOR_COOKIE


@pytest.fixture(autouse=True)
def _no_places_left_behind():
    """Socket places live in the cache; a test's conversation ids come again in the next."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@database_sync_to_async
def open_line(staff_factory):
    opening_hours_around_the_clock()
    duty_set(user=staff_factory(role=Role.COUNSELLOR), on_duty=True)


async def token_from_the_start_page() -> str:
    """Start a chat as a browser does and return the cookie value the page set."""
    body = urlencode({"language": "en", "nickname": "M", "language_confirmed": "1"}).encode()
    response = await HttpCommunicator(
        application,
        "POST",
        "/en/chat/start/",
        body=body,
        headers=[*HOST, (b"content-type", b"application/x-www-form-urlencoded")],
    ).get_response(timeout=10)
    assert response["status"] == 302
    cookie = SimpleCookie()
    for name, value in response["headers"]:
        if name.lower() == b"set-cookie":
            cookie.load(value.decode("latin1"))
    return cookie[NAME].value


def _cookie_headers(cookie_header: str | tuple | None) -> list[tuple[bytes, bytes]]:
    """No header, one, or several ``Cookie`` headers (a tuple), as a client may send them."""
    if cookie_header is None:
        return []
    values = cookie_header if isinstance(cookie_header, tuple) else (cookie_header,)
    return [(b"cookie", value.encode("latin1")) for value in values]


async def page_accepts(cookie_header: str | tuple | None) -> bool:
    headers = list(HOST) + _cookie_headers(cookie_header)
    response = await HttpCommunicator(
        application, "GET", "/en/conversation/", headers=headers
    ).get_response(timeout=10)
    assert response["status"] in (200, 404), response["status"]
    return response["status"] == 200


async def socket_accepts(cookie_header: str | tuple | None) -> int | None:
    """The conversation the socket says it serves, or None when it closes with 4403."""
    headers = list(HOST) + _cookie_headers(cookie_header)
    socket = WebsocketCommunicator(application, "/chat/ws/", headers=headers)
    connected, code = await socket.connect(timeout=10)
    if not connected:
        assert code == 4403
        await socket.disconnect()
        return None
    state = await socket.receive_json_from(timeout=5)
    await socket.disconnect()
    assert state["type"] == "state"
    return state["conversation_id"]


def _flip_last(token: str) -> str:
    return token[:-1] + ("A" if token[-1] != "A" else "B")


# How the browser's Cookie header is built from the page's token, and whether both accept it
# (Django's cookie parser: quotes and spaces around are dropped, the last of two wins).
COOKIE_HEADERS = {
    "as_set": (lambda t: f"{NAME}={t}", True),
    "among_others": (lambda t: f"lang=fi; {NAME}={t}; other=1", True),
    "quoted": (lambda t: f'{NAME}="{t}"', True),
    "spaces_around": (lambda t: f"{NAME} = {t} ", True),
    "twice_wrong_first": (lambda t: f"{NAME}=wrong; {NAME}={t}", True),
    "twice_wrong_last": (lambda t: f"{NAME}={t}; {NAME}=wrong", False),
    "last_character_changed": (lambda t: f"{NAME}={_flip_last(t)}", False),
    "one_character_more": (lambda t: f"{NAME}={t}x", False),
    "one_character_less": (lambda t: f"{NAME}={t[:-1]}", False),
    "case_changed": (lambda t: f"{NAME}={t.swapcase()}", False),
    "another_name": (lambda t: f"{NAME.upper()}={t}", False),
    "empty": (lambda t: f"{NAME}=", False),
    "other_cookies_only": (lambda t: "lang=fi; other=1", False),
    "no_cookie_header": (lambda t: None, False),
    # Two Cookie headers: Django joins them with "," into one value, so neither finds it.
    "two_headers_token_first": (lambda t: (f"{NAME}={t}", "lang=fi"), False),
    "two_headers_token_last": (lambda t: ("lang=fi", f"{NAME}={t}"), False),
}


@pytest.mark.parametrize("variant", list(COOKIE_HEADERS))
async def test_the_page_and_the_socket_agree_on_the_visitors_cookie(staff_factory, variant):
    build, expected = COOKIE_HEADERS[variant]
    await open_line(staff_factory)
    token = await token_from_the_start_page()
    conversation = await database_sync_to_async(Conversation.objects.get)()
    header = build(token)

    on_the_page = await page_accepts(header)
    on_the_socket = await socket_accepts(header)

    assert on_the_page == (on_the_socket is not None)
    if on_the_socket is not None:
        assert on_the_socket == conversation.pk
    assert on_the_page is expected

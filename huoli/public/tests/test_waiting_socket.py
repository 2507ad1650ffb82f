"""The waiting visitor's socket hears that the chat became a message (issue 18), worded in
the page's language."""

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings

from huoli.asgi import application
from huoli.conversations.services.queue import waiting_chats_to_messages
from huoli.conversations.tests.factories import chat_start

pytestmark = pytest.mark.django_db(transaction=True)

ORIGIN = [(b"origin", b"http://127.0.0.1:8000"), (b"host", b"127.0.0.1:8000")]


@pytest.fixture(autouse=True)
def _no_places_left_behind():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def socket_for(token: str, language: str) -> WebsocketCommunicator:
    headers = [*ORIGIN, (b"cookie", f"{settings.HUOLI_VISITOR_COOKIE}={token}".encode())]
    return WebsocketCommunicator(application, f"/chat/ws/?lang={language}", headers=headers)


async def test_the_visitor_hears_that_the_closed_chat_became_a_message():
    # Started with a standby counsellor on duty for the start only: now nobody is.
    access = await database_sync_to_async(chat_start)(language="fi")
    english = socket_for(access.token, "en")
    swedish = socket_for(access.token, "sv")
    for socket in (english, swedish):
        assert (await socket.connect(timeout=10))[0]
        state = await socket.receive_json_from(timeout=5)
        assert (state["kind"], state["status"]) == ("chat", "queued")
    assert await database_sync_to_async(waiting_chats_to_messages)() == 1
    heard = await english.receive_json_from(timeout=5)
    assert heard == {
        "type": "conversation.became_message",
        "conversation_id": access.conversation.pk,
        "reason": "closed",
        "text": "The chat has closed for now, so your chat is now a message.",
    }
    in_swedish = await swedish.receive_json_from(timeout=5)
    assert in_swedish["type"] == "conversation.became_message" and in_swedish["text"]
    await swedish.disconnect()
    # A page that connects again learns it from the state.
    await english.send_json_to({"type": "hello", "last_seq": 0})
    state = await english.receive_json_from(timeout=5)
    assert (state["kind"], state["status"], state["position"]) == ("message", "queued", 0)
    await english.disconnect()

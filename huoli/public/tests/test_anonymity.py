"""Promise 1 (docs/design.md): after a whole chat, neither the database nor any log line holds the
visitor's address or user agent."""

import logging

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import AsyncClient

from huoli.asgi import application
from huoli.conversations.services.queue import conversation_take
from huoli.conversations.tests.factories import open_line_with_counsellor
from huoli.public.tests.test_consumers import ORIGIN
from huoli.tests.dbfile import everything_stored as stored_rows
from huoli.tests.dbfile import sqlite_file_bytes as file_bytes

pytestmark = pytest.mark.django_db(transaction=True)

ADDRESS = "203.0.113.77"
USER_AGENT = "Mozilla/5.0 (HuoliUniqueAgent 7.7; marker-ua-2026)"


everything_stored = database_sync_to_async(stored_rows)


sqlite_file_bytes = database_sync_to_async(file_bytes)


async def test_a_whole_chat_leaves_no_address_or_user_agent(caplog):
    caplog.set_level(logging.DEBUG)
    counsellor = await database_sync_to_async(open_line_with_counsellor)()
    headers = {
        "REMOTE_ADDR": ADDRESS,
        "HTTP_USER_AGENT": USER_AGENT,
        "HTTP_X_FORWARDED_FOR": ADDRESS,
        "HTTP_ACCEPT_LANGUAGE": "en",
    }
    client = AsyncClient(**headers)
    assert (await client.get("/en/")).status_code == 200
    started = await client.post("/en/chat/start/", {"language": "en", "nickname": "M"})
    assert started.status_code == 302
    token = started.cookies[settings.HUOLI_VISITOR_COOKIE].value
    page = await client.get("/en/conversation/")
    assert page.status_code == 200
    await client.post("/en/return/", {"code": "0000 0000 0000 0001"})

    socket = WebsocketCommunicator(
        application,
        "/chat/ws/",
        headers=[
            *ORIGIN,
            (b"user-agent", USER_AGENT.encode()),
            (b"x-forwarded-for", ADDRESS.encode()),
            (b"cookie", f"{settings.HUOLI_VISITOR_COOKIE}={token}".encode()),
        ],
    )
    socket.scope["client"] = (ADDRESS, 50123)
    assert (await socket.connect(timeout=10))[0]
    await socket.receive_json_from(timeout=5)
    from huoli.conversations.models import Conversation

    conversation = await database_sync_to_async(Conversation.objects.get)()
    await database_sync_to_async(conversation_take)(
        counsellor=counsellor, conversation_id=conversation.pk
    )
    await socket.send_json_to({"type": "message", "client_id": "a1", "body": "hello"})
    while (await socket.receive_json_from(timeout=5))["type"] != "ack":
        pass  # the counsellor's joining first
    await socket.send_json_to({"type": "end"})
    await socket.receive_json_from(timeout=5)
    await socket.disconnect()

    stored = await everything_stored()
    assert "hello" not in stored  # the message body itself is encrypted
    for needle in (ADDRESS, "HuoliUniqueAgent", "marker-ua-2026"):
        assert needle not in stored
        assert needle.encode() not in await sqlite_file_bytes()
        assert all(needle not in record.getMessage() for record in caplog.records), needle
    assert caplog.records, "the logs were captured (something was logged)"

"""The visitor on one ASGI process, the counsellor on another, sharing Redis and the database.

Runs where REDIS_URL is set (CI's PostgreSQL + Redis run); one process needs no Redis.
"""

from __future__ import annotations

import asyncio
import json
import os

import pytest
import websockets
from channels.db import database_sync_to_async
from django.conf import settings

from huoli.console.tests.test_consumers import staff_session
from huoli.conversations.services.queue import conversation_take, duty_set
from huoli.conversations.tests.factories import chat_start
from huoli.core.roles import Role
from huoli.tests.asgi_process import AsgiProcess

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL"),
]


@pytest.fixture
def two_processes():
    processes = [AsgiProcess(), AsgiProcess()]
    for process in processes:
        process.start()
    yield [process.port for process in processes]
    for process in processes:
        process.stop()


@database_sync_to_async
def chat_taken_by(user):
    access = chat_start(language="fi")
    duty_set(user=user, on_duty=True)
    conversation_take(counsellor=user, conversation_id=access.conversation.pk)
    return access


async def receive_type(ws, wanted: str, **fields) -> dict:
    while True:
        frame = json.loads(await asyncio.wait_for(ws.recv(), timeout=10))
        if frame["type"] == wanted and all(frame.get(k) == v for k, v in fields.items()):
            return frame


async def test_messages_cross_between_two_asgi_processes(two_processes):
    visitor_port, staff_port = two_processes
    user, session_key = await staff_session(role=Role.COUNSELLOR)
    access = await chat_taken_by(user)
    origin = {"Origin": f"http://127.0.0.1:{staff_port}"}
    async with (
        websockets.connect(
            f"ws://127.0.0.1:{visitor_port}/chat/ws/",
            additional_headers={
                "Origin": f"http://127.0.0.1:{visitor_port}",
                "Cookie": f"{settings.HUOLI_VISITOR_COOKIE}={access.token}",
            },
        ) as visitor,
        websockets.connect(
            f"ws://127.0.0.1:{staff_port}/console/ws/",
            additional_headers={
                **origin,
                "Cookie": f"{settings.SESSION_COOKIE_NAME}={session_key}",
            },
        ) as staff,
    ):
        await receive_type(visitor, "state")
        await staff.send(json.dumps({"type": "watch", "conversation_id": access.conversation.pk}))
        await receive_type(staff, "watching")

        await visitor.send(json.dumps({"type": "message", "client_id": "v1", "body": "Hei A:sta"}))
        assert (await receive_type(visitor, "ack"))["seq"] == 1
        assert (await receive_type(staff, "conversation.message"))["body"] == "Hei A:sta"

        await staff.send(
            json.dumps(
                {
                    "type": "message",
                    "conversation_id": access.conversation.pk,
                    "client_id": "s1",
                    "body": "Vastaus B:stä",
                }
            )
        )
        assert (await receive_type(staff, "ack"))["seq"] == 2
        reply = await receive_type(visitor, "conversation.message", sender="counsellor")
        assert reply["body"] == "Vastaus B:stä"

"""Fault: an ASGI worker is killed (SIGKILL) while a visitor's messages are in flight. The
visitor's page reconnects to the other worker and sends again what was not acknowledged,
as chat.js does. Nothing acknowledged is lost, nothing is stored twice, and (with Redis
between the workers) the counsellor on the surviving worker sees every message, once but for
those sent again (announced again, as their first event may have died with the worker)."""

from __future__ import annotations

import asyncio
import json
import os
import signal

import pytest
import websockets
from channels.db import database_sync_to_async
from django.conf import settings

from huoli.console.tests.test_consumers import staff_session
from huoli.conversations.models import Message
from huoli.conversations.tests.test_two_processes import chat_taken_by, receive_type
from huoli.core.roles import Role
from huoli.tests.asgi_process import AsgiProcess

pytestmark = pytest.mark.django_db(transaction=True)
MESSAGES = 60
PACE = 0.11  # seconds between frames: a visitor may send 10 a second (core.frames)


@pytest.fixture
def two_workers():
    workers = [AsgiProcess(), AsgiProcess()]
    for worker in workers:
        worker.start()
    yield workers
    for worker in workers:
        worker.stop()


def visitor_socket(port: int, token: str):
    return websockets.connect(
        f"ws://127.0.0.1:{port}/chat/ws/",
        additional_headers={
            "Origin": f"http://127.0.0.1:{port}",
            "Cookie": f"{settings.HUOLI_VISITOR_COOKIE}={token}",
        },
    )


@database_sync_to_async
def stored(conversation_id: int) -> list[tuple[int, str]]:
    return list(
        Message.objects.filter(conversation_id=conversation_id)
        .order_by("seq")
        .values_list("seq", "client_id")
    )


async def test_killing_a_worker_loses_nothing_acknowledged_and_doubles_nothing(two_workers):
    doomed, survivor = two_workers
    with_redis = bool(os.environ.get("REDIS_URL"))
    user, session_key = await staff_session(role=Role.COUNSELLOR)
    access = await chat_taken_by(user)
    conversation_id = access.conversation.pk
    sent = [f"m{n:03d}" for n in range(MESSAGES)]
    acknowledged: dict[str, int] = {}

    async with websockets.connect(
        f"ws://127.0.0.1:{survivor.port}/console/ws/",
        additional_headers={
            "Origin": f"http://127.0.0.1:{survivor.port}",
            "Cookie": f"{settings.SESSION_COOKIE_NAME}={session_key}",
        },
    ) as staff:
        await staff.send(json.dumps({"type": "watch", "conversation_id": conversation_id}))
        await receive_type(staff, "watching")

        # The visitor writes steadily on the doomed worker, which is killed mid-stream.
        async with visitor_socket(doomed.port, access.token) as visitor:
            await receive_type(visitor, "state")

            async def write():
                for client_id in sent:
                    frame = {"type": "message", "client_id": client_id, "body": client_id}
                    await visitor.send(json.dumps(frame))
                    await asyncio.sleep(PACE)

            writing = asyncio.create_task(write())
            try:
                while True:
                    frame = json.loads(await asyncio.wait_for(visitor.recv(), timeout=10))
                    if frame["type"] == "ack":
                        acknowledged[frame["client_id"]] = frame["seq"]
                    if len(acknowledged) == MESSAGES // 3:
                        doomed.process.send_signal(signal.SIGKILL)
            except websockets.ConnectionClosed:
                pass
            finally:
                writing.cancel()
                await asyncio.gather(writing, return_exceptions=True)
        doomed.process.wait(timeout=10)
        assert MESSAGES // 3 <= len(acknowledged) < MESSAGES, "the kill came too late"
        before_resend = dict(acknowledged)

        # The page reconnects (to the surviving worker) and sends the rest again.
        async with visitor_socket(survivor.port, access.token) as visitor:
            await visitor.send(json.dumps({"type": "hello", "last_seq": 0}))
            for client_id in sent:
                if client_id not in acknowledged:
                    await visitor.send(
                        json.dumps({"type": "message", "client_id": client_id, "body": client_id})
                    )
                    await asyncio.sleep(PACE)
            while len(acknowledged) < MESSAGES:
                frame = json.loads(await asyncio.wait_for(visitor.recv(), timeout=10))
                if frame["type"] == "ack":
                    acknowledged[frame["client_id"]] = frame["seq"]

        rows = await stored(conversation_id)
        assert sorted(client_id for _seq, client_id in rows) == sent  # each exactly once
        assert [seq for seq, _client_id in rows] == list(range(1, MESSAGES + 1))
        by_client = {client_id: seq for seq, client_id in rows}
        for client_id, seq in before_resend.items():
            assert by_client[client_id] == seq  # acknowledged before the kill, kept as it was

        if with_redis:  # the counsellor's worker hears both workers through Redis
            # A message sent again is announced again (its first event may have died with
            # the doomed worker, between its commit and its publishing): those the page may
            # get twice, and shows once by seq; every other message comes exactly once.
            resent = {by_client[client_id] for client_id in sent if client_id not in before_resend}
            seen: set[int] = set()
            while len(seen) < MESSAGES:
                frame = json.loads(await asyncio.wait_for(staff.recv(), timeout=10))
                if frame["type"] == "conversation.message":
                    twice = frame["seq"] in seen and frame["seq"] not in resent
                    assert not twice, "a message was delivered twice"
                    seen.add(frame["seq"])

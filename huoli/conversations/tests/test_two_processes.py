"""The visitor on one ASGI process, the counsellor on another, sharing Redis and the database.

Runs where REDIS_URL is set (CI's PostgreSQL + Redis run); one process needs no Redis.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import websockets
from channels.db import database_sync_to_async
from django.conf import settings
from django.db import connection

from huoli.accounts.roles import Role
from huoli.console.tests.test_consumers import staff_session
from huoli.conversations.services import conversation_start, conversation_take, duty_set

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL"),
]
ROOT = Path(__file__).resolve().parents[3]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def start_process(port: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "HUOLI_SECRET_KEY": settings.SECRET_KEY,
        "HUOLI_DATA_KEYS": ",".join(settings.HUOLI_DATA_KEYS),
        "HUOLI_RETURN_CODE_PEPPER": settings.HUOLI_RETURN_CODE_PEPPER,
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "huoli.asgi:application", "--port", str(port),
         "--no-access-log", "--lifespan", "off"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return process
        except OSError:
            if process.poll() is not None:
                raise RuntimeError(process.stderr.read().decode()) from None
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("the ASGI process did not start")


@pytest.fixture
def two_processes():
    ports = [free_port(), free_port()]
    processes = [start_process(port) for port in ports]
    yield ports
    for process in processes:
        process.terminate()
        process.wait(timeout=10)


@database_sync_to_async
def chat_taken_by(user):
    access = conversation_start(kind="chat", language="fi")
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

"""The writer process (conversations/writer.py, decision 0044), through a real server process
that runs it (``HUOLI_WRITER_PROCESS=1``; production's default with PostgreSQL and Redis).

What an outsider or a fault could break: a message acknowledged but not stored, or stored
twice, when the writer process dies with a batch in flight; a counsellor whose session ended
still writing, because the rights are checked in another process; events that arrive out of
order or twice; a writer process that outlives its server, holding a database connection;
a refusal shown in the language of whichever socket started the writer."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import pickle
import signal
import time
from pathlib import Path

import pytest
import websockets
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.conf import settings
from django.contrib.sessions.models import Session
from django.utils import translation
from django.utils.translation import gettext

from huoli.console.tests.test_consumers import staff_session
from huoli.conversations.errors import ConversationError, StartRefused
from huoli.conversations.services._common import clean_body
from huoli.conversations.tests.factories import chat_taken
from huoli.conversations.tests.test_two_processes import receive_type
from huoli.conversations.tests.test_worker_killed import stored
from huoli.core import events
from huoli.core.roles import Role
from huoli.tests.asgi_process import AsgiProcess

pytestmark = pytest.mark.django_db(transaction=True)

CHILD = "huoli.conversations.writer_process"


@pytest.fixture
def server(request):
    """A server whose writer process is on (or off: ``indirect`` parametrisation, "0")."""
    process = AsgiProcess(HUOLI_WRITER_PROCESS=getattr(request, "param", "1"))
    process.start()
    yield process
    process.stop()
    print(process.output())  # shown when a test fails


def children(pid: int) -> list[int]:
    """The writer processes whose parent is ``pid``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        # The parent's pid is the second field after the command's name in brackets.
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        if parent == pid and CHILD.encode() in command and " Z " not in stat[-200:]:
            found.append(int(entry.name))
    return found


def the_child(pid: int, *, other_than: int | None = None) -> int:
    """The one running writer process of server ``pid`` (waits for it to start)."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        found = [child for child in children(pid) if child != other_than]
        if found:
            assert len(found) == 1, found
            return found[0]
        time.sleep(0.05)
    raise AssertionError("no writer process")


def gone(pid: int, within: float = 15) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            return True
        if state == "Z":  # ended; its parent has not collected it yet
            return True
        time.sleep(0.05)
    return False


@database_sync_to_async
def chat_for(user, **start):
    return chat_taken(counsellor=user, **start)


def socket_to(server: AsgiProcess, path: str, cookie: str):
    return websockets.connect(
        f"ws://127.0.0.1:{server.port}{path}",
        additional_headers={"Origin": server.url, "Cookie": cookie},
    )


def visitor_socket(server: AsgiProcess, token: str):
    return socket_to(server, "/chat/ws/", f"{settings.HUOLI_VISITOR_COOKIE}={token}")


def console_socket(server: AsgiProcess, session_key: str):
    return socket_to(server, "/console/ws/", f"{settings.SESSION_COOKIE_NAME}={session_key}")


async def send_message(socket, client_id: str, body: str | None = None, **fields) -> None:
    """A message frame (a console's names its ``conversation_id``)."""
    frame = {"type": "message", "client_id": client_id, "body": client_id if body is None else body}
    await socket.send(json.dumps({**frame, **fields}))


async def answer_to(socket, client_id: str) -> dict:
    """The ack or error that answers ``client_id``."""
    while True:
        frame = json.loads(await asyncio.wait_for(socket.recv(), timeout=20))
        if frame["type"] in ("ack", "error") and frame.get("client_id") == client_id:
            return frame


@contextlib.asynccontextmanager
async def a_watched_chat(server: AsgiProcess):
    """A chat taken by a counsellor whose console socket on ``server`` watches it: yields the
    console socket, the chat's access (its conversation, the visitor's token) and the
    counsellor's session key."""
    user, session_key = await staff_session(role=Role.COUNSELLOR)
    access = await chat_for(user)
    async with console_socket(server, session_key) as staff:
        await staff.send(json.dumps({"type": "watch", "conversation_id": access.conversation.pk}))
        await receive_type(staff, "watching")
        yield staff, access, session_key


@contextlib.asynccontextmanager
async def visitor_with_a_stored_message(server: AsgiProcess):
    """A visitor's socket on ``server`` whose first message ("one") is stored: yields the
    socket, its conversation's id and the server's writer process."""
    user, _session_key = await staff_session(role=Role.COUNSELLOR)
    access = await chat_for(user)
    assert server.process is not None
    async with visitor_socket(server, access.token) as visitor:
        await receive_type(visitor, "state")
        await send_message(visitor, "one")
        assert (await answer_to(visitor, "one"))["type"] == "ack"
        yield visitor, access.conversation.pk, the_child(server.process.pid)


async def test_messages_stored_by_the_writer_process_reach_the_other_side_once_in_order(server):
    user, session_key = await staff_session(role=Role.COUNSELLOR)
    access = await chat_for(user)
    conversation_id = access.conversation.pk
    sent = [f"v{n:02d}" for n in range(30)]
    async with console_socket(server, session_key) as staff:
        await staff.send(json.dumps({"type": "watch", "conversation_id": conversation_id}))
        await receive_type(staff, "watching")
        async with visitor_socket(server, access.token) as visitor:
            await receive_type(visitor, "state")
            for client_id in sent:
                await send_message(visitor, client_id)
                await asyncio.sleep(0.11)  # a visitor may send 10 frames a second
            acks = [await answer_to(visitor, client_id) for client_id in sent]
            assert [ack["type"] for ack in acks] == ["ack"] * len(sent)
            assert [ack["seq"] for ack in acks] == list(range(1, len(sent) + 1))
            seen = []
            while len(seen) < len(sent):
                frame = json.loads(await asyncio.wait_for(staff.recv(), timeout=20))
                if frame["type"] == "conversation.message":
                    seen.append((frame["seq"], frame["client_id"]))
            assert seen == list(enumerate(sent, start=1))  # each once, in order
    assert await stored(conversation_id) == list(enumerate(sent, start=1))
    assert server.process is not None
    the_child(server.process.pid)  # exactly one
    assert "writer process [" in server.output()


@pytest.mark.parametrize("how", ["idle", "in flight"])
async def test_a_killed_writer_process_fails_its_batch_and_the_message_sent_again_is_stored_once(
    server, how
):
    assert server.process is not None
    async with visitor_with_a_stored_message(server) as (visitor, conversation_id, child):
        if how == "idle":
            os.kill(child, signal.SIGKILL)
            assert gone(child)
            await send_message(visitor, "second")
        else:
            # Stopped, it takes the batch but never answers: killed with the batch in flight.
            os.kill(child, signal.SIGSTOP)
            await send_message(visitor, "second")
            await asyncio.sleep(0.5)
            os.kill(child, signal.SIGKILL)
        failed = await answer_to(visitor, "second")
        assert (failed["type"], failed["code"], failed["retry"]) == ("error", "unavailable", True)

        # The page sends it again, as chat.js does: a new writer process stores it.
        await send_message(visitor, "second")
        ack = await answer_to(visitor, "second")
        assert (ack["type"], ack["seq"]) == ("ack", 2)
        assert the_child(server.process.pid, other_than=child) != child
    assert await stored(conversation_id) == [(1, "one"), (2, "second")]
    assert "exit code -9" in server.output()


async def test_a_counsellor_whose_session_ended_cannot_write_through_the_writer_process(server):
    async with a_watched_chat(server) as (staff, access, session_key):
        conversation_id = access.conversation.pk
        await send_message(staff, "before", conversation_id=conversation_id)
        assert (await answer_to(staff, "before"))["type"] == "ack"
        # The session ends without the event that closes its sockets (a lost event): only
        # the writer's check, made in the writer process, stands between it and the chat.
        await database_sync_to_async(Session.objects.filter(session_key=session_key).delete)()
        await send_message(staff, "after", conversation_id=conversation_id)
        with pytest.raises(websockets.ConnectionClosed) as closed:
            while True:
                await asyncio.wait_for(staff.recv(), timeout=20)
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 4401
    assert [client_id for _seq, client_id in await stored(conversation_id)] == ["before"]


@pytest.mark.parametrize("server", ["1", "0"], indirect=True, ids=["process", "thread"])
async def test_a_refusal_is_shown_in_the_sender_s_language(server):
    finnish = await chat_for((await staff_session(role=Role.COUNSELLOR))[0], language="fi")
    swedish = await chat_for((await staff_session(role=Role.COUNSELLOR))[0], language="sv")
    async with (
        visitor_socket(server, finnish.token) as first,
        visitor_socket(server, swedish.token) as second,
    ):
        await receive_type(first, "state")
        await receive_type(second, "state")
        # The Finnish socket's message starts the server's writer, in its language.
        await send_message(first, "hei")
        assert (await answer_to(first, "hei"))["type"] == "ack"
        await send_message(second, "empty", body="   ")
        refused = await answer_to(second, "empty")
    with translation.override("sv"):
        expected = gettext("Write a message first.")
    assert expected != "Write a message first."
    assert (refused["code"], refused["message"]) == ("message_empty", expected)


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGKILL])
async def test_the_writer_process_ends_with_its_server(server, stop):
    assert server.process is not None
    async with visitor_with_a_stored_message(server) as (_visitor, _conversation_id, child):
        server.process.send_signal(stop)
        server.process.wait(timeout=20)
    assert gone(child), "the writer process outlived its server"


def test_a_refusal_crosses_the_pipe_with_its_code_its_lazy_text_and_its_fields():
    with pytest.raises(ConversationError) as refused:
        clean_body(" ")
    back = pickle.loads(pickle.dumps(refused.value))  # noqa: S301 (our own object)
    assert type(back) is ConversationError and back.code == "message_empty"
    with translation.override("sv"):
        assert str(back) == gettext("Write a message first.")
    with translation.override("fi"):
        assert str(back) == gettext("Write a message first.") != "Write a message first."
    gated = pickle.loads(pickle.dumps(StartRefused("flood_gate", "wait", gate="a gate")))  # noqa: S301
    assert (type(gated), gated.code, str(gated), gated.gate) == (
        StartRefused,
        "flood_gate",
        "wait",
        "a gate",
    )


async def test_events_collected_in_one_process_are_sent_in_order_by_another():
    layer = get_channel_layer()
    channel = await layer.new_channel()
    await layer.group_add(events.QUEUE_GROUP, channel)
    try:
        with events.collected() as kept:
            events.publish(events.QUEUE_GROUP, events.QueueChanged(arrived="chat"))
            events.publish(events.QUEUE_GROUP, events.QueueChanged(arrived="message"))
        with pytest.raises(TimeoutError):  # kept, not sent
            await asyncio.wait_for(layer.receive(channel), timeout=0.5)
        # Across the pipe, as the writer process sends them to its server.
        events.send_collected(pickle.loads(pickle.dumps(kept)))  # noqa: S301 (our own object)
        received = [await asyncio.wait_for(layer.receive(channel), timeout=10) for _ in kept]
        assert [message["event"]["arrived"] for message in received] == ["chat", "message"]
    finally:
        await layer.group_discard(events.QUEUE_GROUP, channel)


async def test_a_stop_signal_to_the_whole_unit_leaves_the_writer_to_its_server(server):
    """systemd stops a worker by signalling every process of its unit: the server then
    closes its sockets gracefully, and their last messages still need the writer."""
    assert server.process is not None
    async with visitor_with_a_stored_message(server) as (visitor, conversation_id, child):
        os.kill(child, signal.SIGTERM)
        os.kill(child, signal.SIGINT)
        await send_message(visitor, "two")
        assert (await answer_to(visitor, "two"))["type"] == "ack"
        assert children(server.process.pid) == [child]
        server.process.terminate()
        server.process.wait(timeout=20)
    assert gone(child)
    assert [client_id for _seq, client_id in await stored(conversation_id)] == ["one", "two"]

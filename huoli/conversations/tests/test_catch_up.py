"""``catch_up``: a page that saw a message's seq jump past one it never got (an event the
channel layer lost) asks for the messages after the last one before the gap, on the socket
it has open (``core/static/shared/message_gaps.js``, decision 0008). Both sockets, through
the whole ASGI application on the real channel layer."""

import asyncio
import time

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer

from huoli.accounts.models import User
from huoli.console.consumers import CLOSE_UNAUTHORISED, StaffConsumer
from huoli.console.tests.test_consumers import communicator, staff_session
from huoli.console.tests.test_socket_rights import chat_watched_by_its_counsellor
from huoli.conversations.models import Conversation
from huoli.conversations.services import messages
from huoli.conversations.services.messages import message_post
from huoli.core import consumers as core_consumers
from huoli.core import events
from huoli.core.models import AuditEntry
from huoli.core.roles import Role
from huoli.public import sockets
from huoli.public.tests.test_consumers import connected_visitor

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def looks(monkeypatch):
    """The sockets' periodic look (``latest`` after a lost message) kept out of the way of
    these tests' frames, unless a test sets ``interval`` shorter."""

    def interval(seconds: float, grace: float = 0.05) -> None:
        monkeypatch.setattr(sockets, "REFRESH_SECONDS", seconds)
        monkeypatch.setattr(StaffConsumer, "recheck_seconds", seconds)
        monkeypatch.setattr(core_consumers, "LATEST_GRACE", grace)

    interval(3600)
    return interval


@database_sync_to_async
def stored_with_its_events_held(conversation, body: str, client_id: str) -> tuple[int, list]:
    """A message committed whose events are kept back: its seq, and the events."""
    with events.collected() as held:
        message, _created = message_post(
            conversation=conversation, sender="visitor", client_id=client_id, body=body
        )
    return message.seq, held


async def stored_without_its_event(conversation, body: str, client_id: str) -> int:
    """A message committed whose event goes nowhere: what a lost publish leaves."""
    seq, _held = await stored_with_its_events_held(conversation, body, client_id)
    return seq


async def frames_until_pong(socket) -> list[dict]:
    await socket.send_json_to({"type": "ping"})
    frames = []
    while (frame := await socket.receive_json_from(timeout=5))["type"] != "pong":
        frames.append(frame)
    return frames


async def test_both_sides_get_the_messages_after_the_gap_and_nothing_else():
    access, user, _key, visitor, staff = await chat_watched_by_its_counsellor()
    conversation = access.conversation
    for n in (1, 2, 3):
        await stored_without_its_event(conversation, f"lost {n}", f"lost-{n}")
    reads = AuditEntry.objects.filter(
        action="conversation.read", actor_id=user.pk, object_id=str(conversation.pk)
    )
    audited = await database_sync_to_async(reads.count)()

    await visitor.send_json_to({"type": "catch_up", "last_seq": 1})
    frames = await frames_until_pong(visitor)
    # The messages only: no ``state``, which would put the page's status line back.
    assert [(f["type"], f["seq"], f["body"]) for f in frames] == [
        ("conversation.message", 2, "lost 2"),
        ("conversation.message", 3, "lost 3"),
    ]

    await staff.send_json_to(
        {"type": "catch_up", "conversation_id": conversation.pk, "last_seq": 0}
    )
    frames = await frames_until_pong(staff)
    assert [(f["type"], f["seq"]) for f in frames] == [
        ("conversation.message", 1),
        ("conversation.message", 2),
        ("conversation.message", 3),
    ]
    # Part of the watch's audited read, as the live events are: no new read in the log.
    assert await database_sync_to_async(reads.count)() == audited
    for socket in (visitor, staff):
        await socket.disconnect()


async def test_a_console_socket_catches_up_only_on_a_conversation_it_watches():
    access, _user, _key, visitor, _staff = await chat_watched_by_its_counsellor()
    await stored_without_its_event(access.conversation, "not for them", "x-1")
    # A colleague's socket, on the console, without a watch: not even their own chat's
    # messages come this way (``watch`` is the audited read that opens a conversation).
    _colleague, colleague_key = await staff_session(role=Role.SUPERVISOR)
    colleague = communicator(colleague_key, path="/console/ws/?page=conversation")
    assert (await colleague.connect(timeout=10))[0]
    await colleague.send_json_to(
        {"type": "catch_up", "conversation_id": access.conversation.pk, "last_seq": 0}
    )
    assert await colleague.receive_json_from(timeout=5) == {
        "type": "error",
        "code": "not_watching",
    }
    assert await frames_until_pong(colleague) == []
    for socket in (colleague, visitor, _staff):
        await socket.disconnect()


async def test_a_catch_up_after_the_chat_went_to_someone_else_leaves_it():
    """A transfer whose event was lost too: the catch-up looks at the rights again and, as
    after a transfer, the page is told it was released, and gets no message."""
    access, _user, _key, visitor, staff = await chat_watched_by_its_counsellor()
    colleague, _colleague_key = await staff_session(role=Role.COUNSELLOR)
    await database_sync_to_async(Conversation.objects.filter(pk=access.conversation.pk).update)(
        counsellor=colleague
    )
    await stored_without_its_event(access.conversation, "for the new counsellor", "n-1")
    await staff.send_json_to(
        {"type": "catch_up", "conversation_id": access.conversation.pk, "last_seq": 0}
    )
    frames = await frames_until_pong(staff)
    assert [f["type"] for f in frames] == ["conversation.released"]
    await staff.send_json_to(
        {"type": "catch_up", "conversation_id": access.conversation.pk, "last_seq": 0}
    )
    assert (await staff.receive_json_from(timeout=5))["code"] == "not_watching"
    for socket in (visitor, staff):
        await socket.disconnect()


async def test_a_supervisor_demoted_a_moment_ago_gets_no_catch_up():
    """A catch-up reads the conversation, so the rights are checked afresh as for a watch,
    not reused from a check a moment old (a role lowered by a bulk update: no event)."""
    access, _user, _key, visitor, staff = await chat_watched_by_its_counsellor()
    await stored_without_its_event(access.conversation, "for the staff only", "s-1")
    supervisor, supervisor_key = await staff_session(role=Role.SUPERVISOR)
    observer = communicator(supervisor_key, path="/console/ws/?page=conversation")
    assert (await observer.connect(timeout=10))[0]
    await observer.send_json_to({"type": "watch", "conversation_id": access.conversation.pk})
    while (await observer.receive_json_from(timeout=5))["type"] != "watching":
        pass
    await observer.send_json_to({"type": "ping"})  # a fresh check, reusable for 2 s
    assert await observer.receive_json_from(timeout=5) == {"type": "pong"}
    await database_sync_to_async(User.objects.filter(pk=supervisor.pk).update)(role=Role.COUNSELLOR)
    await observer.send_json_to(
        {"type": "catch_up", "conversation_id": access.conversation.pk, "last_seq": 0}
    )
    output = await observer.receive_output(timeout=5)
    assert (output["type"], output.get("code")) == ("websocket.close", CLOSE_UNAUTHORISED)
    for socket in (visitor, staff):
        await socket.disconnect()


async def next_latest(socket, seq: int, deadline: float = 5.0) -> tuple[dict, list[dict]]:
    """The first ``latest`` frame for ``seq`` or above, and the frames before it."""
    frames = []
    end = time.monotonic() + deadline
    while True:
        frame = await socket.receive_json_from(timeout=max(0.01, end - time.monotonic()))
        if frame["type"] == "latest" and frame["last_seq"] >= seq:
            return frame, frames
        frames.append(frame)


async def test_a_lost_last_message_is_told_to_both_idle_sockets_once(looks):
    """A lost *last* message has no later seq to reveal the gap: each socket's periodic look
    tells its page the conversation's highest seq (``latest``) when it is above the last
    one the socket gave it, once; the page asks for what it lacks."""
    looks(0.1)
    access, _user, _key, visitor, staff = await chat_watched_by_its_counsellor()
    conversation = access.conversation
    seq = await stored_without_its_event(conversation, "the last word", "last-1")

    told, before = await next_latest(visitor, seq)
    assert told == {"type": "latest", "last_seq": seq}
    told_staff, before_staff = await next_latest(staff, seq)
    assert told_staff == {"type": "latest", "conversation_id": conversation.pk, "last_seq": seq}
    # The event was lost indeed, and nothing before told of a seq the pages had.
    assert not [f for f in before + before_staff if f["type"] != "pong"]

    # Told once: the next looks say nothing; the page's catch_up gets the message.
    await asyncio.sleep(0.5)
    assert await frames_until_pong(visitor) == []
    assert await frames_until_pong(staff) == []
    await visitor.send_json_to({"type": "catch_up", "last_seq": seq - 1})
    assert [(f["seq"], f["body"]) for f in await frames_until_pong(visitor)] == [
        (seq, "the last word")
    ]
    for socket in (visitor, staff):
        await socket.disconnect()


async def test_an_idle_socket_that_gave_its_page_every_message_says_nothing(looks):
    """Messages whose events arrived, acks, and the ``state`` a visitor's socket opens with
    (its ``last_seq`` tells the page, chat.js) count as given: the periodic look stays
    silent (a frame only when something is missing)."""
    looks(0.1)
    access, _user, _key, visitor, staff = await chat_watched_by_its_counsellor()
    await visitor.send_json_to({"type": "message", "client_id": "v-1", "body": "hello"})
    assert (await visitor.receive_json_from(timeout=5))["type"] == "ack"
    assert (await staff.receive_json_from(timeout=5))["seq"] == 1
    second, state = await connected_visitor(access.token)  # says no hello
    assert state["last_seq"] == 1
    await asyncio.sleep(0.5)  # several looks, each past its grace
    for socket in (visitor, staff, second):
        assert await frames_until_pong(socket) == []
        await socket.disconnect()


async def test_a_look_that_read_a_seq_on_its_way_says_nothing_when_it_comes(looks):
    """The look runs beside the socket's handlers: it may read a seq whose event has not
    reached the socket yet. It tells the page only if the seq has not come within its
    grace, so a message on its way is not asked for twice."""
    looks(0.05, grace=1.0)
    access, _user, _key, visitor, staff = await chat_watched_by_its_counsellor()
    _seq, held = await stored_with_its_events_held(access.conversation, "late", "late")
    await asyncio.sleep(0.3)  # looks have read seq 1, and wait out their grace
    layer = get_channel_layer()
    for group, message in held:
        await layer.group_send(group, message)
    for socket in (visitor, staff):
        frame = await socket.receive_json_from(timeout=5)
        assert (frame["type"], frame["seq"]) == ("conversation.message", 1)
    await asyncio.sleep(1.2)  # past the grace of every look that read it
    for socket in (visitor, staff):
        assert await frames_until_pong(socket) == []
        await socket.disconnect()


async def frames_until(socket, kind: str) -> list[dict]:
    """The frames up to and including the first of type ``kind``."""
    frames = [await socket.receive_json_from(timeout=5)]
    while frames[-1]["type"] != kind:
        frames.append(await socket.receive_json_from(timeout=5))
    return frames


async def test_a_long_history_comes_a_page_at_a_time(monkeypatch):
    """One hello, watch or catch_up is answered with ``MESSAGES_PER_ANSWER`` messages at
    most, then ``more`` with the last one's seq, from which the page asks again: no frame
    makes the database thread decrypt a whole history (a visitor may fill their own chat
    with thousands of messages)."""
    monkeypatch.setattr(messages, "MESSAGES_PER_ANSWER", 3)
    access, _user, _key, visitor, staff = await chat_watched_by_its_counsellor()
    conversation = access.conversation
    for n in range(1, 8):
        await stored_without_its_event(conversation, f"m{n}", f"m-{n}")

    def seqs(frames):
        return [f["seq"] for f in frames if f["type"] == "conversation.message"]

    await visitor.send_json_to({"type": "hello", "last_seq": 0})
    frames = await frames_until(visitor, "state")
    assert seqs(frames) == [1, 2, 3]
    assert {"type": "more", "conversation_id": conversation.pk, "last_seq": 3} in frames
    await visitor.send_json_to({"type": "catch_up", "last_seq": 3})
    frames = await frames_until(visitor, "more")
    assert seqs(frames) == [4, 5, 6] and frames[-1]["last_seq"] == 6
    await visitor.send_json_to({"type": "catch_up", "last_seq": 6})
    assert seqs(frames := await frames_until_pong(visitor)) == [7]
    assert [f for f in frames if f["type"] == "more"] == []  # the last page: no more

    await staff.send_json_to({"type": "watch", "conversation_id": conversation.pk, "last_seq": 1})
    frames = await frames_until(staff, "watching")
    assert seqs(frames) == [2, 3, 4]
    assert {"type": "more", "conversation_id": conversation.pk, "last_seq": 4} in frames
    await staff.send_json_to(
        {"type": "catch_up", "conversation_id": conversation.pk, "last_seq": 4}
    )
    # As many as one answer holds, and none after them: no ``more``.
    assert seqs(frames := await frames_until_pong(staff)) == [5, 6, 7]
    assert [f for f in frames if f["type"] == "more"] == []
    for socket in (visitor, staff):
        await socket.disconnect()

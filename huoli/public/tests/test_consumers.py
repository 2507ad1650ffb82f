"""The visitor's websocket, alone and talking with the console's, through the full ASGI
application (real sessions, real layer)."""

import asyncio
import json
import time

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings

from huoli.asgi import application
from huoli.console.tests.test_consumers import communicator as staff_communicator
from huoli.console.tests.test_consumers import staff_session
from huoli.conversations.models import Conversation, Message
from huoli.conversations.services.messages import message_post
from huoli.conversations.services.queue import conversation_take, duty_set
from huoli.conversations.services.start import conversation_resume, conversation_start
from huoli.conversations.tests.factories import chat_start
from huoli.core.roles import Role
from huoli.public import sockets
from huoli.public.consumers import CLOSE_NO_CONVERSATION, CLOSE_TOO_MANY_SOCKETS

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _no_places_left_behind():
    """Socket places live in the cache; a test's conversation ids come again in the next."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


ORIGIN = [(b"origin", b"http://127.0.0.1:8000"), (b"host", b"127.0.0.1:8000")]


def visitor_socket(token=None):
    headers = list(ORIGIN)
    if token:
        headers.append((b"cookie", f"{settings.HUOLI_VISITOR_COOKIE}={token}".encode()))
    return WebsocketCommunicator(application, "/chat/ws/", headers=headers)


@database_sync_to_async
def start(kind="chat"):
    if kind == "chat":
        return chat_start(language="fi")
    return conversation_start(kind=kind, language="fi")


@database_sync_to_async
def take(user, conversation_id):
    duty_set(user=user, on_duty=True)
    conversation_take(counsellor=user, conversation_id=conversation_id)


@database_sync_to_async
def stored(conversation_id):
    # Bodies are bound to their rows: read through the instances, not values_list.
    return [
        (m.seq, m.client_id, m.body)
        for m in Message.objects.filter(conversation_id=conversation_id).order_by("seq")
    ]


async def connected_visitor(token):
    socket = visitor_socket(token)
    connected, _code = await socket.connect(timeout=10)
    assert connected
    state = await socket.receive_json_from(timeout=5)
    assert state["type"] == "state"
    return socket, state


async def test_a_socket_without_a_conversation_is_closed():
    socket = visitor_socket("not-a-token")
    connected, code = await socket.connect(timeout=10)
    assert (connected, code) == (False, 4403)
    await socket.disconnect()


async def test_message_is_acknowledged_after_commit_and_a_resend_is_harmless():
    access = await start()
    socket, state = await connected_visitor(access.token)
    assert state["status"] == "queued" and state["position"] == 1
    other, _state = await connected_visitor(access.token)  # a second window of the browser
    frame = {"type": "message", "client_id": "m-1", "body": "Hei"}
    await socket.send_json_to(frame)
    # The ack carries the stored message, and the sending socket is not sent it again.
    ack = await socket.receive_json_from(timeout=5)
    assert {k: ack[k] for k in ("type", "client_id", "seq")} == {
        "type": "ack",
        "client_id": "m-1",
        "seq": 1,
    }
    message = ack["message"]
    assert (message["type"], message["seq"], message["body"], message["sender"]) == (
        "conversation.message",
        1,
        "Hei",
        "visitor",
    )
    assert message["created_at"] and message["client_id"] == "m-1"
    assert await socket.receive_nothing(timeout=0.3)
    # Every other socket of the conversation gets the same message as its event.
    assert await other.receive_json_from(timeout=5) == message

    await socket.send_json_to(frame)
    assert await socket.receive_json_from(timeout=5) == ack
    assert await socket.receive_nothing(timeout=0.3)
    # The resend is announced again (the first event may have been lost with its ack): the
    # same message, which a page shows once by its seq.
    assert await other.receive_json_from(timeout=5) == message
    assert await stored(access.conversation.pk) == [(1, "m-1", "Hei")]
    await socket.disconnect()
    await other.disconnect()


async def test_reconnecting_client_gets_everything_after_what_it_saw():
    access = await start()
    socket, _state = await connected_visitor(access.token)
    for i in range(1, 4):
        await socket.send_json_to({"type": "message", "client_id": f"m{i}", "body": f"b{i}"})
        assert (await socket.receive_json_from(timeout=5))["type"] == "ack"
    await socket.disconnect()

    again, _state = await connected_visitor(access.token)
    await again.send_json_to({"type": "hello", "last_seq": 1})
    caught_up = [await again.receive_json_from(timeout=5) for _ in range(2)]
    assert [(m["seq"], m["body"]) for m in caught_up] == [(2, "b2"), (3, "b3")]
    assert (await again.receive_json_from(timeout=5))["type"] == "state"
    await again.disconnect()


async def test_a_visitor_hears_nothing_of_another_conversation():
    mine, theirs = await start(), await start()
    socket, _ = await connected_visitor(mine.token)
    other, _ = await connected_visitor(theirs.token)
    await other.send_json_to({"type": "message", "client_id": "x", "body": "private"})
    assert (await other.receive_json_from(timeout=5))["type"] == "ack"
    assert await socket.receive_nothing(timeout=0.3)
    await socket.send_json_to({"type": "hello", "last_seq": 0})
    assert (await socket.receive_json_from(timeout=5))["type"] == "state"
    await socket.disconnect()
    await other.disconnect()


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        ("not json", "frame_invalid"),
        (json.dumps({"type": "message", "client_id": 5, "body": "x"}), "frame_invalid"),
        (json.dumps({"type": "message", "client_id": "a", "body": "x" * 4001}), "message_too_long"),
        (json.dumps({"type": "hello", "last_seq": -1}), "frame_invalid"),
        (json.dumps({"type": "dance"}), "type_unknown"),
        ("x" * 20_000, "frame_invalid"),
        # Nested too deep for the parser (14 kB, under the size cap), and over the cap
        # (refused before parsing: parsed, it would be nested too deep as well).
        ("[" * 14_000, "frame_invalid"),
        ('{"type": "message", "client_id": "a", "body": ' + "[" * 14_000, "frame_invalid"),
        ("[" * 20_000, "frame_invalid"),
    ],
)
async def test_bad_frames_get_an_error_and_the_socket_stays_open(frame, code):
    access = await start()
    socket, _ = await connected_visitor(access.token)
    await socket.send_to(text_data=frame)
    reply = await socket.receive_json_from(timeout=5)
    assert (reply["type"], reply["code"]) == ("error", code)
    await socket.send_json_to({"type": "ping"})
    assert await socket.receive_json_from(timeout=5) == {"type": "pong"}
    await socket.disconnect()


async def test_counsellor_and_visitor_talk_and_an_observer_cannot_write():
    access = await start()
    counsellor, counsellor_key = await staff_session(role=Role.COUNSELLOR)
    _supervisor, supervisor_key = await staff_session(role=Role.SUPERVISOR)
    await take(counsellor, access.conversation.pk)
    visitor, state = await connected_visitor(access.token)
    assert state["status"] == "active"

    staff = staff_communicator(counsellor_key)
    assert (await staff.connect(timeout=10))[0]
    await staff.send_json_to({"type": "watch", "conversation_id": access.conversation.pk})
    assert (await staff.receive_json_from(timeout=5))["may_write"] is True
    await staff.send_json_to(
        {
            "type": "message",
            "conversation_id": access.conversation.pk,
            "client_id": "s1",
            "body": "Olen täällä",
        }
    )
    to_visitor = await visitor.receive_json_from(timeout=5)
    assert (to_visitor["body"], to_visitor["sender"]) == ("Olen täällä", "counsellor")

    observer = staff_communicator(supervisor_key)
    assert (await observer.connect(timeout=10))[0]
    await observer.send_json_to({"type": "watch", "conversation_id": access.conversation.pk})
    history = await observer.receive_json_from(timeout=5)
    assert history["body"] == "Olen täällä"
    assert (await observer.receive_json_from(timeout=5))["may_write"] is False
    await observer.send_json_to(
        {
            "type": "message",
            "conversation_id": access.conversation.pk,
            "client_id": "o",
            "body": "x",
        }
    )
    assert (await observer.receive_json_from(timeout=5))["code"] == "read_only"
    for socket in (visitor, staff, observer):
        await socket.disconnect()


async def test_typing_reaches_the_other_side_only():
    access = await start()
    counsellor, key = await staff_session(role=Role.COUNSELLOR)
    await take(counsellor, access.conversation.pk)
    visitor, _ = await connected_visitor(access.token)
    staff = staff_communicator(key)
    assert (await staff.connect(timeout=10))[0]
    await staff.send_json_to({"type": "watch", "conversation_id": access.conversation.pk})
    await staff.receive_json_from(timeout=5)
    await visitor.send_json_to({"type": "typing"})
    typing = await staff.receive_json_from(timeout=5)
    assert (typing["type"], typing["sender"]) == ("conversation.typing", "visitor")
    assert await visitor.receive_nothing(timeout=0.3)
    await visitor.disconnect()
    await staff.disconnect()


async def outputs_until_closed(socket, timeout=5):
    """The frames a socket receives until the server closes it, and the close code."""
    frames = []
    while True:
        output = await socket.receive_output(timeout=timeout)
        if output["type"] == "websocket.close":
            return frames, output.get("code")
        frames.append(json.loads(output["text"]))


@database_sync_to_async
def block(conversation_id):
    from huoli.accounts.tests.factories import StaffFactory
    from huoli.conversations.services.queue import conversation_flag

    # A supervisor may flag it whoever answers it (``core.policy.may_flag``).
    supervisor = StaffFactory(role=Role.SUPERVISOR)
    conversation = Conversation.objects.get(pk=conversation_id)
    conversation_flag(conversation=conversation, by=supervisor, reason="threats", block_code=True)


@database_sync_to_async
def status(conversation_id):
    return Conversation.objects.get(pk=conversation_id).status


async def test_a_blocked_conversation_closes_its_open_socket_and_refuses_new_ones():
    access = await start()
    socket, _state = await connected_visitor(access.token)
    await block(access.conversation.pk)
    frames, code = await outputs_until_closed(socket)
    assert code == CLOSE_NO_CONVERSATION  # the server closed it, not the test
    assert [frame["type"] for frame in frames] == ["conversation.ended"]
    # A frame still in flight is refused, stored nowhere, and nothing reopens the chat.
    await socket.send_json_to({"type": "message", "client_id": "late", "body": "again"})
    await socket.disconnect(timeout=5)
    assert await stored(access.conversation.pk) == []
    assert await status(access.conversation.pk) == "ended"
    again = visitor_socket(access.token)
    assert await again.connect(timeout=10) == (False, CLOSE_NO_CONVERSATION)
    await again.disconnect()


async def test_a_message_sent_as_the_code_is_blocked_is_refused_and_the_chat_stays_ended():
    access = await start()
    counsellor, _key = await staff_session(role=Role.COUNSELLOR)
    await take(counsellor, access.conversation.pk)
    socket, _state = await connected_visitor(access.token)
    await block(access.conversation.pk)
    # Sent before the socket has heard of the block: the service itself refuses it.
    await socket.send_json_to({"type": "message", "client_id": "m1", "body": "still here"})
    frames, code = await outputs_until_closed(socket)
    assert code == CLOSE_NO_CONVERSATION
    assert not [frame for frame in frames if frame["type"] == "ack"]
    for frame in frames:
        if frame["type"] == "error":
            assert frame["code"] in ("conversation_closed", "signed_out") and frame["message"]
    await socket.disconnect(timeout=5)
    assert await stored(access.conversation.pk) == []
    assert await status(access.conversation.pk) == "ended"


@database_sync_to_async
def resume(code):
    return conversation_resume(code=code)


@database_sync_to_async
def counsellor_writes(counsellor, conversation_id, body):
    message_post(
        conversation=Conversation.objects.get(pk=conversation_id),
        sender="counsellor",
        client_id=f"c-{body}",
        body=body,
        author=counsellor,
    )


async def test_a_signed_out_socket_that_missed_its_event_closes_within_an_interval(monkeypatch):
    """Events are best effort (a full queue or a Redis reconnect drops one). A browser signed
    out without the event (here a bulk update, which publishes nothing) is still closed by the
    socket's periodic look, and hears no answer meant for the new browser."""
    monkeypatch.setattr(sockets, "REFRESH_SECONDS", 0.05)
    access = await start()
    counsellor, _key = await staff_session(role=Role.COUNSELLOR)
    await take(counsellor, access.conversation.pk)
    first, _state = await connected_visitor(access.token)
    await database_sync_to_async(Conversation.objects.filter(pk=access.conversation.pk).update)(
        visitor_token_hash="0" * 64
    )
    frames, code = await outputs_until_closed(first)
    assert code == CLOSE_NO_CONVERSATION
    await counsellor_writes(counsellor, access.conversation.pk, "only for the new browser")
    assert not [frame for frame in frames if "only for the new browser" in str(frame)]
    await first.disconnect(timeout=5)


async def test_the_periodic_look_survives_a_cache_fault(monkeypatch):
    """The fault that drops an event (Redis away for a moment) may also fail the periodic
    look that stands in for it: the next round looks again instead of giving up."""
    monkeypatch.setattr(sockets, "REFRESH_SECONDS", 0.05)
    keep = sockets.socket_place_keep
    failed: list[bool] = []

    def keep_once_failing(**kwargs):
        if not failed:
            failed.append(True)
            raise ConnectionError("the cache is away for a moment")
        return keep(**kwargs)

    monkeypatch.setattr(sockets, "socket_place_keep", keep_once_failing)
    access = await start()
    first, _state = await connected_visitor(access.token)
    deadline = time.monotonic() + 5
    while not failed:  # the fault has happened before the browser is signed out
        assert time.monotonic() < deadline
        await asyncio.sleep(0.01)
    await database_sync_to_async(Conversation.objects.filter(pk=access.conversation.pk).update)(
        visitor_token_hash="0" * 64
    )
    _frames, code = await outputs_until_closed(first)
    assert code == CLOSE_NO_CONVERSATION
    await first.disconnect(timeout=5)


async def test_returning_from_a_second_browser_closes_the_first_ones_socket():
    access = await start()
    counsellor, _key = await staff_session(role=Role.COUNSELLOR)
    await take(counsellor, access.conversation.pk)
    first, _state = await connected_visitor(access.token)
    second_access = await resume(access.return_code)
    await counsellor_writes(counsellor, access.conversation.pk, "vastaus")
    frames, code = await outputs_until_closed(first)
    assert code == CLOSE_NO_CONVERSATION
    assert not [frame for frame in frames if frame["type"] == "conversation.message"]
    await first.send_json_to({"type": "message", "client_id": "old", "body": "from the old tab"})
    await first.disconnect(timeout=5)
    old_again = visitor_socket(access.token)
    assert await old_again.connect(timeout=10) == (False, CLOSE_NO_CONVERSATION)
    await old_again.disconnect()

    second, state = await connected_visitor(second_access.token)
    assert state["status"] == "active"
    await second.send_json_to({"type": "message", "client_id": "new", "body": "from the new one"})
    ack = await second.receive_json_from(timeout=5)
    assert (ack["type"], ack["client_id"], ack["seq"]) == ("ack", "new", 2)
    await second.disconnect()
    assert await stored(access.conversation.pk) == [
        (1, "c-vastaus", "vastaus"),
        (2, "new", "from the new one"),
    ]


async def test_a_frame_from_the_first_browser_after_a_return_elsewhere_is_refused():
    access = await start()
    first, _state = await connected_visitor(access.token)
    await resume(access.return_code)
    # Whether the socket has heard of the return or not, the frame is refused, not stored.
    await first.send_json_to({"type": "message", "client_id": "old", "body": "old tab"})
    frames, code = await outputs_until_closed(first)
    assert code == CLOSE_NO_CONVERSATION
    assert not [frame for frame in frames if frame["type"] == "ack"]
    for frame in frames:
        if frame["type"] == "error":
            assert (frame["code"], frame["client_id"]) == ("signed_out", "old")
            assert frame["message"]
    await first.send_json_to({"type": "end"})
    await first.disconnect(timeout=5)
    assert await stored(access.conversation.pk) == []
    assert await status(access.conversation.pk) == "queued"


async def test_a_conversation_has_at_most_three_visitor_sockets():
    access = await start()
    sockets = [(await connected_visitor(access.token))[0] for _ in range(3)]
    extra = visitor_socket(access.token)
    connected, _code = await extra.connect(timeout=10)
    assert connected  # accepted only to say why it closes
    frames, code = await outputs_until_closed(extra)
    assert code == CLOSE_TOO_MANY_SOCKETS
    assert [(frame["type"], frame["code"]) for frame in frames] == [("error", "too_many_sockets")]
    assert frames[0]["message"]
    await extra.disconnect(timeout=5)
    await sockets[0].disconnect(timeout=5)
    # A closed socket gives its place back.
    replacement, _state = await connected_visitor(access.token)
    for socket in (*sockets[1:], replacement):
        await socket.disconnect(timeout=5)


async def test_places_held_by_a_dead_worker_expire():
    from django.core.cache import cache

    from huoli.public.sockets import slot_key

    access = await start()
    # Another worker process held every place and died without giving them back.
    for slot in range(settings.HUOLI_VISITOR_SOCKETS):
        await cache.aset(slot_key(access.conversation.pk, slot), "dead-worker", timeout=300)
    refused = visitor_socket(access.token)
    assert (await refused.connect(timeout=10))[0]
    _frames, code = await outputs_until_closed(refused)
    assert code == CLOSE_TOO_MANY_SOCKETS
    await refused.disconnect(timeout=5)
    # Nothing refreshes them, so they lapse (here after a second instead of SLOT_SECONDS).
    for slot in range(settings.HUOLI_VISITOR_SOCKETS):
        await cache.aset(slot_key(access.conversation.pk, slot), "dead-worker", timeout=1)
    deadline = time.monotonic() + 15
    while True:
        socket = visitor_socket(access.token)
        assert (await socket.connect(timeout=10))[0]
        first = await socket.receive_output(timeout=5)
        if first["type"] == "websocket.send" and json.loads(first["text"])["type"] == "state":
            break
        await socket.disconnect(timeout=5)
        assert time.monotonic() < deadline, "the dead worker's places never expired"
        await asyncio.sleep(0.2)
    await socket.disconnect(timeout=5)


async def test_a_socket_sending_too_fast_is_slowed_not_served():
    access = await start()
    socket, _state = await connected_visitor(access.token)
    for _ in range(30):  # a burst of 20 is allowed, then 10 a second
        await socket.send_json_to({"type": "ping"})
    replies = [await socket.receive_json_from(timeout=5) for _ in range(30)]
    assert 20 <= sum(r == {"type": "pong"} for r in replies) < 30
    assert {"type": "error", "code": "rate_limited"} in replies
    await socket.disconnect()


def test_the_wait_is_worded_with_the_languages_plural_forms():
    """Issue 21: "4 دقيقة" is wrong Arabic; each count takes its language's plural form."""
    from huoli.public.consumers import queue_text

    assert queue_text("en", 1, 1).endswith("Estimated wait: 1 minute.")
    assert queue_text("en", 2, 16).endswith("Estimated wait: 16 minutes.")
    arabic = {n: queue_text("ar", 7, n) for n in (1, 2, 3, 11)}
    # Arabic: one, two, a few (3-10) and many (11-99) each have their own words (the
    # number itself taken out, so that only the words are compared).
    forms = {text.replace(str(n), "N") for n, text in arabic.items()}
    assert len(forms) == 4, arabic
    assert "دقائق" in arabic[3] and "دقائق" not in arabic[11]
    assert all("minute" not in text for text in arabic.values())


async def test_a_waiting_visitor_reads_the_wait_in_the_pages_language():
    from asgiref.sync import sync_to_async

    from huoli.core.events import QueuePosition, conversation_group, publish
    from huoli.public.consumers import queue_text

    access = await start()
    headers = [*ORIGIN, (b"cookie", f"{settings.HUOLI_VISITOR_COOKIE}={access.token}".encode())]
    socket = WebsocketCommunicator(application, "/chat/ws/?lang=en", headers=headers)
    assert (await socket.connect(timeout=10))[0]
    state = await socket.receive_json_from(timeout=5)
    assert state["position"] == 1
    minutes = state["wait_minutes"]
    assert state["queue_text"] == (
        f"You are number 1 in the queue. Estimated wait: {minutes} minute"
        f"{'' if minutes == 1 else 's'}."
    )

    group = conversation_group(access.conversation.pk)
    event = QueuePosition(conversation_id=access.conversation.pk, position=3, wait_minutes=1)
    await sync_to_async(publish)(group, event)
    moved = await socket.receive_json_from(timeout=5)
    assert moved["type"] == "queue.position"
    assert moved["queue_text"] == "You are number 3 in the queue. Estimated wait: 1 minute."
    await socket.disconnect()

    # A language that is not one of ours falls back to the chat's (Finnish here).
    other = WebsocketCommunicator(application, "/chat/ws/?lang=xx", headers=headers)
    assert (await other.connect(timeout=10))[0]
    fallback = (await other.receive_json_from(timeout=5))["queue_text"]
    assert fallback == await sync_to_async(queue_text)("fi", 1, minutes)
    await other.disconnect()

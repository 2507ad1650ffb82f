"""Private staff notes over the console socket, through the full ASGI application: the two
staff of a live chat hear them, the visitor's socket never does, nor does anyone who may not
open the conversation."""

import pytest
from channels.db import database_sync_to_async

from huoli.console.tests.test_consumers import communicator, staff_session
from huoli.conversations.models import StaffNote
from huoli.conversations.services.queue import conversation_take, duty_set
from huoli.conversations.services.staff_notes import staff_note_add
from huoli.conversations.tests.factories import chat_start
from huoli.core.models import AuditEntry
from huoli.core.roles import Role
from huoli.public.tests.test_consumers import connected_visitor

pytestmark = pytest.mark.django_db(transaction=True)

SECRET = "Hän kuulostaa uupuneelta, kysy nukkumisesta"


@pytest.fixture(autouse=True)
def _no_places_left_behind():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@database_sync_to_async
def chat_taken_by(counsellor):
    access = chat_start(language="fi")
    duty_set(user=counsellor, on_duty=True)
    conversation_take(counsellor=counsellor, conversation_id=access.conversation.pk)
    return access


async def watching(key, conversation_id, **extra):
    """A console socket watching the conversation; returns it and the frames it was sent
    before ``watching`` (history), and the ``watching`` frame."""
    socket = communicator(key, path="/console/ws/?page=conversation")
    assert (await socket.connect(timeout=10))[0]
    await socket.send_json_to({"type": "watch", "conversation_id": conversation_id, **extra})
    frames = []
    while (frame := await socket.receive_json_from(timeout=5))["type"] not in (
        "watching",
        "error",
    ):
        frames.append(frame)
    return socket, frames, frame


async def frames_of(socket, count):
    return [await socket.receive_json_from(timeout=5) for _ in range(count)]


async def test_the_two_staff_exchange_notes_and_the_visitor_hears_nothing():
    counsellor, counsellor_key = await staff_session(role=Role.COUNSELLOR)
    _supervisor, supervisor_key = await staff_session(role=Role.SUPERVISOR)
    access = await chat_taken_by(counsellor)
    conversation_id = access.conversation.pk
    visitor, state = await connected_visitor(access.token)
    assert state["status"] == "active"

    staff, _history, ready = await watching(counsellor_key, conversation_id)
    assert (ready["may_write"], ready["may_note"]) == (True, True)
    observer, _history, ready = await watching(supervisor_key, conversation_id)
    assert (ready["may_write"], ready["may_note"]) == (False, True)

    await observer.send_json_to(
        {
            "type": "staff_note",
            "conversation_id": conversation_id,
            "client_id": "s1",
            "body": SECRET,
        }
    )
    got = await frames_of(observer, 2)
    ack = next(f for f in got if f["type"] == "staff_note.ack")
    note = next(f for f in got if f["type"] == "conversation.staff_note")
    assert ack["client_id"] == "s1" and ack["note_id"] == note["note_id"]
    heard = await staff.receive_json_from(timeout=5)
    assert heard == note
    assert (heard["body"], heard["client_id"], heard["conversation_id"]) == (
        SECRET,
        "s1",
        conversation_id,
    )
    assert heard["author_name"]

    await staff.send_json_to(
        {
            "type": "staff_note",
            "conversation_id": conversation_id,
            "client_id": "c1",
            "body": "Kiitos",
        }
    )
    answer = next(f for f in await frames_of(staff, 2) if f["type"] == "conversation.staff_note")
    assert (await observer.receive_json_from(timeout=5))["body"] == "Kiitos" == answer["body"]

    # The visitor's socket heard nothing of either note ...
    assert await visitor.receive_nothing(timeout=0.5)
    # ... though it is live: the next counsellor message is the first thing it hears.
    await staff.send_json_to(
        {"type": "message", "conversation_id": conversation_id, "client_id": "m1", "body": "Hei"}
    )
    to_visitor = await visitor.receive_json_from(timeout=5)
    assert (to_visitor["type"], to_visitor["body"]) == ("conversation.message", "Hei")
    assert await visitor.receive_nothing(timeout=0.3)

    # A resend of the same note (after a reconnect) is acknowledged and stored once.
    await observer.send_json_to(
        {
            "type": "staff_note",
            "conversation_id": conversation_id,
            "client_id": "s1",
            "body": SECRET,
        }
    )
    frames = []
    while (frame := await observer.receive_json_from(timeout=5))["type"] != "staff_note.ack":
        frames.append(frame)
    assert frame["note_id"] == ack["note_id"]
    assert [f for f in frames if f["type"] == "conversation.staff_note"] == []
    assert await database_sync_to_async(StaffNote.objects.count)() == 2
    assert await visitor.receive_nothing(timeout=0.3)
    for socket in (visitor, staff, observer):
        await socket.disconnect()


async def test_a_reconnecting_page_gets_the_notes_it_missed_with_its_audited_read():
    counsellor, counsellor_key = await staff_session(role=Role.COUNSELLOR)
    supervisor, _key = await staff_session(role=Role.SUPERVISOR)
    access = await chat_taken_by(counsellor)
    conversation_id = access.conversation.pk
    notes = []
    for i in range(3):
        note, _ = await database_sync_to_async(staff_note_add)(
            conversation_id=conversation_id, author=supervisor, client_id=f"n{i}", body=f"N{i}"
        )
        notes.append(note)
    reads = AuditEntry.objects.filter(
        action="conversation.read", actor_id=counsellor.pk, object_id=str(conversation_id)
    )
    before = await database_sync_to_async(reads.count)()
    staff, history, _ready = await watching(
        counsellor_key, conversation_id, last_note_id=notes[0].pk
    )
    assert [(f["type"], f["body"]) for f in history] == [
        ("conversation.staff_note", "N1"),
        ("conversation.staff_note", "N2"),
    ]
    assert await database_sync_to_async(reads.count)() == before + 1
    await staff.disconnect()


@pytest.mark.parametrize("role", [Role.COUNSELLOR, Role.ANALYST])
async def test_someone_who_may_not_open_the_chat_cannot_watch_write_or_hear_its_notes(role):
    counsellor, _key = await staff_session(role=Role.COUNSELLOR)
    _outsider, outsider_key = await staff_session(role=role)
    supervisor, _key = await staff_session(role=Role.SUPERVISOR)
    access = await chat_taken_by(counsellor)
    conversation_id = access.conversation.pk

    outsider, history, refused = await watching(outsider_key, conversation_id)
    assert history == [] and refused["code"] == "not_found"
    await outsider.send_json_to(
        {"type": "staff_note", "conversation_id": conversation_id, "client_id": "x", "body": "x"}
    )
    assert (await outsider.receive_json_from(timeout=5))["code"] == "not_watching"
    await database_sync_to_async(staff_note_add)(
        conversation_id=conversation_id, author=supervisor, client_id="n", body=SECRET
    )
    assert await outsider.receive_nothing(timeout=0.5)
    assert await database_sync_to_async(StaffNote.objects.count)() == 1
    await outsider.disconnect()


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        ({"client_id": "e", "body": "   "}, "note_empty"),
        ({"client_id": "l", "body": "x" * 2001}, "note_too_long"),
        ({"client_id": "b", "body": 5}, "frame_invalid"),
        ({"client_id": "b"}, "frame_invalid"),
    ],
)
async def test_a_bad_note_gets_a_clear_error_and_nothing_is_stored(frame, code):
    counsellor, key = await staff_session(role=Role.COUNSELLOR)
    access = await chat_taken_by(counsellor)
    staff, _history, _ready = await watching(key, access.conversation.pk)
    await staff.send_json_to(
        {"type": "staff_note", "conversation_id": access.conversation.pk, **frame}
    )
    error = await staff.receive_json_from(timeout=5)
    assert (error["type"], error["code"]) == ("error", code)
    if code != "frame_invalid":
        assert error["message"] and error["client_id"] == frame["client_id"]
    assert await database_sync_to_async(StaffNote.objects.count)() == 0
    await staff.send_json_to({"type": "ping"})
    assert await staff.receive_json_from(timeout=5) == {"type": "pong"}
    await staff.disconnect()


async def test_a_message_committed_while_a_page_starts_watching_is_not_lost(monkeypatch):
    """Nothing lost: the page reads the conversation, then hears its events. A message
    committed between the read and the joining of its groups was heard by nobody until the
    page reconnected. Here the visitor's message commits right after the read."""
    from huoli.console import consumers
    from huoli.conversations.models import Message
    from huoli.conversations.services.messages import message_post

    counsellor, counsellor_key = await staff_session(role=Role.COUNSELLOR)
    access = await chat_taken_by(counsellor)
    conversation_id = access.conversation.pk
    read = consumers._watch.func

    def read_then_a_visitor_writes(*args):
        result = read(*args)
        message_post(
            conversation=access.conversation,
            sender=Message.Sender.VISITOR,
            client_id="meanwhile",
            body="Kirjoitin juuri nyt",
        )
        return result

    monkeypatch.setattr(consumers, "_watch", database_sync_to_async(read_then_a_visitor_writes))
    staff, history, _ready = await watching(counsellor_key, conversation_id)
    assert history == []
    heard = []
    while not any(f["type"] == "conversation.message" for f in heard):
        heard.append(await staff.receive_json_from(timeout=5))
    assert [f["body"] for f in heard if f["type"] == "conversation.message"] == [
        "Kirjoitin juuri nyt"
    ]
    await staff.disconnect()

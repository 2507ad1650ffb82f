"""The console websocket, through the project's full ASGI application and a real session."""

import json

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings

from huoli.accounts.services import counsellor_profile_save
from huoli.accounts.tests.factories import StaffFactory, device_confirmed, signed_in_session
from huoli.asgi import application
from huoli.conversations.services.queue import conversation_take, duty_set
from huoli.conversations.tests.factories import chat_start
from huoli.core.roles import Role

pytestmark = pytest.mark.django_db(transaction=True)


@database_sync_to_async
def staff_session(*, role=Role.COUNSELLOR, verified=True):
    user = StaffFactory(role=role)
    return user, signed_in_session(user, device_confirmed(user) if verified else None)


def communicator(session_key=None, origin=b"http://127.0.0.1:8000", path="/console/ws/"):
    headers = [(b"origin", origin), (b"host", b"127.0.0.1:8000")]
    if session_key:
        headers.append((b"cookie", f"{settings.SESSION_COOKIE_NAME}={session_key}".encode()))
    return WebsocketCommunicator(application, path, headers=headers)


async def test_anonymous_socket_is_closed_with_4401():
    socket = communicator()
    connected, code = await socket.connect(timeout=10)
    assert not connected
    assert code == 4401
    await socket.disconnect()


async def test_socket_without_two_factor_is_closed(no_demo_mode):
    _user, key = await staff_session(verified=False)
    socket = communicator(key)
    connected, code = await socket.connect(timeout=10)
    assert (connected, code) == (False, 4401)
    await socket.disconnect()


async def test_socket_from_another_origin_is_refused():
    _user, key = await staff_session()
    socket = communicator(key, origin=b"https://evil.example")
    connected, _code = await socket.connect(timeout=10)
    assert not connected
    await socket.disconnect()


async def test_verified_staff_hear_their_profile_event_and_nothing_else():
    user, key = await staff_session()
    _other, other_key = await staff_session()
    socket = communicator(key)
    other_socket = communicator(other_key)
    assert (await socket.connect(timeout=10))[0]
    assert (await other_socket.connect(timeout=10))[0]

    await database_sync_to_async(counsellor_profile_save)(
        user=user, display_name="Aino", languages=["fi", "sv"], max_chats=3
    )
    event = await socket.receive_json_from(timeout=5)
    assert event == {
        "type": "staff.profile_updated",
        "display_name": "Aino",
        "languages": ["fi", "sv"],
        "max_chats": 3,
        "notify_sound": True,
        "notify_volume": 60,
        "notify_desktop": False,
    }
    assert await other_socket.receive_nothing(timeout=0.3)
    await socket.disconnect()
    await other_socket.disconnect()


@pytest.mark.parametrize(
    ("frame", "expected"),
    [
        ("not json", {"type": "error", "code": "frame_invalid"}),
        ("[1, 2]", {"type": "error", "code": "frame_invalid"}),
        (json.dumps({"type": "shout"}), {"type": "error", "code": "type_unknown"}),
        ("x" * 20_000, {"type": "error", "code": "frame_invalid"}),
        ("[" * 14_000, {"type": "error", "code": "frame_invalid"}),
        (
            '{"type": "watch", "conversation_id": ' + "[" * 14_000,
            {"type": "error", "code": "frame_invalid"},
        ),
        ("[" * 20_000, {"type": "error", "code": "frame_invalid"}),
        (json.dumps({"type": "ping"}), {"type": "pong"}),
    ],
)
async def test_every_frame_gets_a_clear_answer(frame, expected):
    _user, key = await staff_session()
    socket = communicator(key)
    assert (await socket.connect(timeout=10))[0]
    await socket.send_to(text_data=frame)
    assert await socket.receive_json_from(timeout=5) == expected
    # The socket is still open and answering.
    await socket.send_to(text_data=json.dumps({"type": "ping"}))
    assert await socket.receive_json_from(timeout=5) == {"type": "pong"}
    await socket.disconnect()


@database_sync_to_async
def conversation_taken_by(counsellor):
    conversation = chat_start(language="fi").conversation
    duty_set(user=counsellor, on_duty=True)
    conversation_take(counsellor=counsellor, conversation_id=conversation.pk)
    return conversation


async def test_a_counsellor_cannot_watch_someone_elses_conversation():
    owner, _ = await staff_session(role=Role.COUNSELLOR)
    _other, other_key = await staff_session(role=Role.COUNSELLOR)
    conversation = await conversation_taken_by(owner)
    socket = communicator(other_key)
    assert (await socket.connect(timeout=10))[0]
    await socket.send_json_to({"type": "watch", "conversation_id": conversation.pk})
    assert (await socket.receive_json_from(timeout=5))["code"] == "not_found"
    await socket.disconnect()

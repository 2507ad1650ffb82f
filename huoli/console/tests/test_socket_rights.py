"""A staff socket has only the rights its user has now (issue 13, point 2).

Each test opens a real console socket through the full ASGI application on the real channel
layer, takes a right away the way the console or the admin does, and checks that the socket
is closed, hears nothing more of the conversation, and that nothing it sends is stored.
"""

import asyncio
import time
from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from huoli.accounts.models import User
from huoli.accounts.tests.factories import signed_in_session
from huoli.console import consumers
from huoli.console.consumers import CLOSE_UNAUTHORISED, StaffConsumer
from huoli.console.tests.test_consumers import communicator, staff_session
from huoli.conversations.models import Conversation, Message
from huoli.conversations.services.queue import conversation_transfer, duty_set
from huoli.core.roles import Role
from huoli.public.tests.test_consumers import connected_visitor, start, take

pytestmark = pytest.mark.django_db(transaction=True)


async def watching(session_key, conversation_id):
    socket = communicator(session_key, path="/console/ws/?page=conversation")
    assert (await socket.connect(timeout=10))[0]
    await socket.send_json_to({"type": "watch", "conversation_id": conversation_id})
    while (frame := await socket.receive_json_from(timeout=5))["type"] != "watching":
        pass
    return socket, frame


async def chat_watched_by_its_counsellor():
    access = await start()
    user, key = await staff_session(role=Role.COUNSELLOR)
    await take(user, access.conversation.pk)
    visitor, _state = await connected_visitor(access.token)
    staff, frame = await watching(key, access.conversation.pk)
    assert frame["may_write"] is True
    return access, user, key, visitor, staff


async def outputs_until_closed(socket, deadline=5.0) -> tuple[list[dict], int]:
    """Every frame the socket sent before it closed, and the close code; fails at the
    deadline if it never closes."""
    frames = []
    end = time.monotonic() + deadline
    while True:
        output = await socket.receive_output(timeout=max(0.01, end - time.monotonic()))
        if output["type"] == "websocket.close":
            return frames, output.get("code")
        frames.append(output)


@database_sync_to_async
def stored_bodies(conversation_id):
    return [m.body for m in Message.objects.filter(conversation_id=conversation_id).order_by("seq")]


async def assert_closed_and_deaf(access, staff, visitor):
    """The socket closes with 4401; a message it sent meanwhile is neither stored nor
    delivered; a visitor message after that does not reach it."""
    frames, code = await outputs_until_closed(staff)
    assert code == CLOSE_UNAUTHORISED
    assert not any("ack" in str(f) or "conversation.message" in str(f) for f in frames)
    assert await stored_bodies(access.conversation.pk) == []
    assert await visitor.receive_nothing(timeout=0.2)
    await visitor.send_json_to({"type": "message", "client_id": "v", "body": "still there?"})
    assert (await visitor.receive_json_from(timeout=5))["type"] in ("ack", "conversation.message")
    assert await staff.receive_nothing(timeout=0.2)
    await staff.disconnect()
    await visitor.disconnect()


async def post(staff, conversation_id, body="written after losing the right"):
    await staff.send_json_to(
        {"type": "message", "conversation_id": conversation_id, "client_id": "late", "body": body}
    )


def _log_out(session_key):
    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = session_key
    response = client.post("/console/logout/")
    assert response.status_code == 302


async def test_logout_closes_the_socket_and_a_post_after_it_is_not_stored():
    access, _user, key, visitor, staff = await chat_watched_by_its_counsellor()
    await database_sync_to_async(_log_out)(key)
    await post(staff, access.conversation.pk)
    await assert_closed_and_deaf(access, staff, visitor)


async def test_logout_closes_an_idle_socket_at_once():
    access, _user, key, visitor, staff = await chat_watched_by_its_counsellor()
    await database_sync_to_async(_log_out)(key)
    await assert_closed_and_deaf(access, staff, visitor)


async def test_logout_in_another_browser_leaves_this_socket_open():
    access, user, _key, visitor, staff = await chat_watched_by_its_counsellor()
    other_key = await _second_session(user)
    await database_sync_to_async(_log_out)(other_key)
    await staff.send_json_to({"type": "ping"})
    assert await staff.receive_json_from(timeout=5) == {"type": "pong"}
    await post(staff, access.conversation.pk, body="still mine")
    assert (await staff.receive_json_from(timeout=5))["type"] in ("ack", "conversation.message")
    await staff.disconnect()
    await visitor.disconnect()


@database_sync_to_async
def _second_session(user):
    return signed_in_session(user, TOTPDevice.objects.get(user=user))


@database_sync_to_async
def _save_user(user_id, **fields):
    # What the admin's change form does: load, set, save.
    user = User.objects.get(pk=user_id)
    for name, value in fields.items():
        setattr(user, name, value)
    user.save()


async def test_deactivating_the_account_closes_its_socket():
    access, user, _key, visitor, staff = await chat_watched_by_its_counsellor()
    await _save_user(user.pk, is_active=False)
    await post(staff, access.conversation.pk)
    await assert_closed_and_deaf(access, staff, visitor)


async def test_lowering_the_role_closes_its_socket():
    access, user, _key, visitor, staff = await chat_watched_by_its_counsellor()
    await _save_user(user.pk, role=Role.ANALYST)
    await post(staff, access.conversation.pk)
    await assert_closed_and_deaf(access, staff, visitor)


async def test_a_change_the_socket_does_not_notice_is_still_refused_at_the_next_frame():
    """A role lowered by a bulk update (no signal, no event): the next frame checks again."""
    access, user, _key, visitor, staff = await chat_watched_by_its_counsellor()
    await database_sync_to_async(User.objects.filter(pk=user.pk).update)(role=Role.ANALYST)
    await post(staff, access.conversation.pk)
    await assert_closed_and_deaf(access, staff, visitor)


async def test_deleting_the_two_factor_device_closes_its_socket(no_demo_mode):
    access, user, _key, visitor, staff = await chat_watched_by_its_counsellor()
    await database_sync_to_async(lambda: TOTPDevice.objects.get(user=user).delete())()
    await post(staff, access.conversation.pk)
    await assert_closed_and_deaf(access, staff, visitor)


async def test_a_deleted_session_is_noticed_at_the_next_frame():
    access, _user, key, visitor, staff = await chat_watched_by_its_counsellor()
    await database_sync_to_async(Session.objects.filter(session_key=key).delete)()
    await staff.send_json_to({"type": "watch", "conversation_id": access.conversation.pk})
    await post(staff, access.conversation.pk)
    await assert_closed_and_deaf(access, staff, visitor)


async def test_an_expired_session_closes_an_idle_socket(monkeypatch):
    monkeypatch.setattr(StaffConsumer, "recheck_seconds", 0.05)
    access, _user, key, visitor, staff = await chat_watched_by_its_counsellor()
    await database_sync_to_async(Session.objects.filter(session_key=key).update)(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    # No frame from the socket: the periodic check finds the session gone.
    await assert_closed_and_deaf(access, staff, visitor)


async def test_a_transfer_takes_the_old_counsellor_out_of_the_conversation():
    access, user, _key, visitor, staff = await chat_watched_by_its_counsellor()
    colleague, colleague_key = await staff_session(role=Role.COUNSELLOR)
    await database_sync_to_async(duty_set)(user=colleague, on_duty=True)
    await database_sync_to_async(conversation_transfer)(
        conversation_id=access.conversation.pk, by=user, to=colleague
    )
    # The old counsellor's page learns it at once.
    while (frame := await staff.receive_json_from(timeout=5))["type"] != "conversation.released":
        pass
    assert frame["conversation_id"] == access.conversation.pk
    new, _frame = await watching(colleague_key, access.conversation.pk)

    await visitor.send_json_to({"type": "message", "client_id": "v1", "body": "to the new one"})
    while (await new.receive_json_from(timeout=5))["type"] != "conversation.message":
        pass
    await staff.send_json_to({"type": "ping"})
    assert await staff.receive_json_from(timeout=5) == {"type": "pong"}
    assert await staff.receive_nothing(timeout=0.2)

    await post(staff, access.conversation.pk)
    assert (await staff.receive_json_from(timeout=5))["code"] in ("not_watching", "read_only")
    await staff.send_json_to({"type": "watch", "conversation_id": access.conversation.pk})
    assert (await staff.receive_json_from(timeout=5))["code"] == "not_found"
    assert await stored_bodies(access.conversation.pk) == ["to the new one"]
    for socket in (staff, new, visitor):
        await socket.disconnect()


async def test_a_transfer_whose_event_is_lost_still_takes_the_old_counsellor_out(monkeypatch):
    """Events are best effort: a transfer the socket never hears of (here a bulk update, which
    publishes nothing) is found by the periodic look at every watched conversation."""
    monkeypatch.setattr(StaffConsumer, "recheck_seconds", 0.05)
    access, _user, _key, visitor, staff = await chat_watched_by_its_counsellor()
    colleague, _colleague_key = await staff_session(role=Role.COUNSELLOR)
    await database_sync_to_async(Conversation.objects.filter(pk=access.conversation.pk).update)(
        counsellor=colleague
    )
    while (frame := await staff.receive_json_from(timeout=5))["type"] != "conversation.released":
        pass
    assert frame["conversation_id"] == access.conversation.pk
    await visitor.send_json_to({"type": "message", "client_id": "v1", "body": "not for them"})
    while (await visitor.receive_json_from(timeout=5))["type"] != "ack":
        pass
    for _ in range(3):  # several rounds of the periodic look: still nothing of the chat
        assert await staff.receive_nothing(timeout=0.1)
    await staff.disconnect()
    await visitor.disconnect()


async def test_the_periodic_look_survives_a_fault(monkeypatch):
    """The fault that drops an event (Redis away for a moment) may also fail the periodic
    look that stands in for it: the next round looks again instead of giving up."""
    monkeypatch.setattr(StaffConsumer, "recheck_seconds", 0.05)
    look = consumers._may_write_now
    failed: list[bool] = []

    async def look_once_failing(user, conversation_id):
        if not failed:
            failed.append(True)
            raise ConnectionError("the channel layer is away for a moment")
        return await look(user, conversation_id)

    monkeypatch.setattr(consumers, "_may_write_now", look_once_failing)
    access, _user, _key, visitor, staff = await chat_watched_by_its_counsellor()
    deadline = time.monotonic() + 5
    while not failed:
        assert time.monotonic() < deadline
        await asyncio.sleep(0.01)
    colleague, _colleague_key = await staff_session(role=Role.COUNSELLOR)
    await database_sync_to_async(Conversation.objects.filter(pk=access.conversation.pk).update)(
        counsellor=colleague
    )
    while (await staff.receive_json_from(timeout=5))["type"] != "conversation.released":
        pass
    await staff.disconnect()
    await visitor.disconnect()


async def pong_after_the_visitors_message(socket):
    """The answer to a ping. A watch joins the conversation's group before it reads (decision
    0041), so the visitor's message (seq 1) may also come live once after the history (the
    page drops it by its seq): seen on PostgreSQL + Redis, where the publication after the
    commit may still be on its way when the next socket watches."""
    while (frame := await socket.receive_json_from(timeout=5))["type"] != "pong":
        assert (frame["type"], frame["seq"]) == ("conversation.message", 1), frame


async def test_a_supervisor_who_only_observes_leaves_the_unread_marker_alone():
    access, _user, key, visitor, staff = await chat_watched_by_its_counsellor()
    await staff.disconnect()
    await visitor.send_json_to({"type": "message", "client_id": "v1", "body": "Hei"})
    while (await visitor.receive_json_from(timeout=5))["type"] != "ack":
        pass
    _supervisor, supervisor_key = await staff_session(role=Role.SUPERVISOR)
    observer, frame = await watching(supervisor_key, access.conversation.pk)
    assert frame["may_write"] is False
    assert frame["answering"] is False  # its page tells the supervisor of no visitor's message
    await observer.send_json_to(
        {"type": "seen", "conversation_id": access.conversation.pk, "seq": 1}
    )
    await observer.send_json_to({"type": "ping"})
    await pong_after_the_visitors_message(observer)
    conversation = await database_sync_to_async(Conversation.objects.get)(pk=access.conversation.pk)
    assert conversation.unread_count == 1

    counsellor, frame = await watching(key, access.conversation.pk)
    assert frame["answering"] is True
    await counsellor.send_json_to(
        {"type": "seen", "conversation_id": access.conversation.pk, "seq": 1}
    )
    await counsellor.send_json_to({"type": "ping"})
    await pong_after_the_visitors_message(counsellor)
    conversation = await database_sync_to_async(Conversation.objects.get)(pk=access.conversation.pk)
    assert conversation.unread_count == 0

    # The visitor writes again and the counsellor answers: their page sends no seen for its
    # own message (console/chat.js), which leaves nothing unread by itself.
    await visitor.send_json_to({"type": "message", "client_id": "v2", "body": "Vielä"})
    while (await visitor.receive_json_from(timeout=5))["type"] != "ack":
        pass
    conversation = await database_sync_to_async(Conversation.objects.get)(pk=access.conversation.pk)
    assert conversation.unread_count == 1
    await counsellor.send_json_to(
        {"type": "message", "conversation_id": access.conversation.pk, "client_id": "c1",
         "body": "Kiitos"}
    )  # fmt: skip
    while (await counsellor.receive_json_from(timeout=5))["type"] != "ack":
        pass
    conversation = await database_sync_to_async(Conversation.objects.get)(pk=access.conversation.pk)
    assert conversation.unread_count == 0
    for socket in (observer, counsellor, visitor):
        await socket.disconnect()


def _as_administrator():
    from huoli.accounts.tests.factories import StaffFactory, device_confirmed, log_in_with_device

    admin = StaffFactory(role=Role.ADMINISTRATOR)
    return log_in_with_device(Client(), admin, device_confirmed(admin))


def _admin_user_form(user_id, **changes):
    """Save the user through the admin's change form, as an administrator would."""
    client = _as_administrator()
    url = f"/console/admin/accounts/user/{user_id}/change/"
    page = client.get(url)
    assert page.status_code == 200
    fields = list(page.context["adminform"].form)
    for inline in page.context["inline_admin_formsets"]:
        fields += list(inline.formset.management_form)
        for form in inline.formset.forms:
            fields += list(form)
    data = {field.html_name: field.value() for field in fields if field.value() is not None}
    data.update(changes)
    data = {name: value for name, value in data.items() if value is not False}
    response = client.post(url, data)
    assert response.status_code == 302, response.context and response.context["errors"]


def _admin_device_delete(user_id):
    client = _as_administrator()
    device = TOTPDevice.objects.get(user_id=user_id)
    url = f"/console/admin/otp_totp/totpdevice/{device.pk}/delete/"
    assert client.post(url, {"post": "yes"}).status_code == 302
    assert not TOTPDevice.objects.filter(pk=device.pk).exists()


@pytest.mark.parametrize(
    "change",
    [
        lambda user_id: _admin_user_form(user_id, is_active=False),
        lambda user_id: _admin_user_form(user_id, role=Role.ANALYST),
        _admin_device_delete,
    ],
    ids=["deactivated", "role-lowered", "device-deleted"],
)
async def test_an_administrator_taking_a_right_in_the_admin_closes_the_socket(change, no_demo_mode):
    """Through the admin's own forms, and without a frame from the socket: the event alone
    closes it (the periodic check is 30 s away)."""
    access, user, _key, visitor, staff = await chat_watched_by_its_counsellor()
    await database_sync_to_async(change)(user.pk)
    await assert_closed_and_deaf(access, staff, visitor)

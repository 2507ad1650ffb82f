"""Escalation alerts reach the supervisors' console sockets, conversation pages included,
and acknowledgements reach the counsellor who escalated; nobody else hears them."""

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings

from huoli.asgi import application
from huoli.console.tests.test_consumers import communicator, staff_session
from huoli.contacts.models import ContactRecord
from huoli.conversations.services.queue import duty_set
from huoli.core.roles import Role
from huoli.escalations.services import (
    contact_record_save,
    escalation_acknowledge,
    escalation_open,
)

pytestmark = pytest.mark.django_db(transaction=True)


def conversation_page_socket(session_key):
    return WebsocketCommunicator(
        application,
        "/console/ws/?page=conversation",
        headers=[
            (b"origin", b"http://127.0.0.1:8000"),
            (b"host", b"127.0.0.1:8000"),
            (b"cookie", f"{settings.SESSION_COOKIE_NAME}={session_key}".encode()),
        ],
    )


async def next_of_type(socket, wanted: str) -> dict:
    while True:
        frame = await socket.receive_json_from(timeout=5)
        if frame["type"] == wanted:
            return frame


async def test_supervisors_on_duty_are_alerted_and_the_counsellor_sees_the_acknowledgement():
    counsellor, counsellor_key = await staff_session(role=Role.COUNSELLOR)
    supervisor, supervisor_key = await staff_session(role=Role.SUPERVISOR)
    _off_duty, off_duty_key = await staff_session(role=Role.SUPERVISOR)
    await database_sync_to_async(duty_set)(user=supervisor, on_duty=True)
    on_home, on_chat_page = communicator(supervisor_key), conversation_page_socket(supervisor_key)
    off = communicator(off_duty_key)
    escalating = conversation_page_socket(counsellor_key)
    for socket in (on_home, on_chat_page, off, escalating):
        assert (await socket.connect(timeout=10))[0]

    @database_sync_to_async
    def risk_level_4():
        _record, escalation = contact_record_save(
            record=ContactRecord(channel="phone"),
            by=counsellor,
            fields={"risk_level": 4},
            concerns=[],
            actions=[],
        )
        return escalation

    escalation = await risk_level_4()
    for socket in (on_home, on_chat_page):
        alert = await next_of_type(socket, "escalation.opened")
        assert alert["escalation_id"] == escalation.pk
        assert alert["url"] == f"/console/escalations/{escalation.pk}/"

    await database_sync_to_async(escalation_acknowledge)(
        escalation=escalation, supervisor=supervisor
    )
    update = await next_of_type(escalating, "escalation.updated")
    name = await database_sync_to_async(lambda: supervisor.counsellor_profile.display_name)()
    assert update["status"] == "acknowledged" and update["supervisor"] == name
    # The supervisor off duty heard no alert (a supervisor was on duty), only that it was
    # acknowledged: every supervisor's repeating alert stops (console/static/console/notify.js).
    assert (await off.receive_json_from(timeout=5))["type"] == "escalation.updated"
    assert await off.receive_nothing(timeout=0.3)
    assert (await next_of_type(on_home, "escalation.updated"))["status"] == "acknowledged"
    for socket in (on_home, on_chat_page, off, escalating):
        await socket.disconnect()


async def test_nothing_is_published_when_the_escalation_rolls_back():
    counsellor, _ = await staff_session(role=Role.COUNSELLOR)
    _supervisor, key = await staff_session(role=Role.SUPERVISOR)
    socket = communicator(key)
    assert (await socket.connect(timeout=10))[0]

    @database_sync_to_async
    def open_and_fail():
        from django.db import transaction

        with pytest.raises(RuntimeError), transaction.atomic():
            escalation_open(by=counsellor, assessment="x")
            raise RuntimeError("rolled back")

    await open_and_fail()
    assert await socket.receive_nothing(timeout=0.3)
    await socket.disconnect()

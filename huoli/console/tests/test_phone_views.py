"""The console softphone's views: its settings, Answer and Hang up, through the policy."""

from __future__ import annotations

import pytest
from django.test import override_settings

from huoli.accounts.tests.factories import device_confirmed, log_in_with_device
from huoli.calls.selectors import sip_user
from huoli.calls.tests.factories import call_taker_on_duty, phone_call
from huoli.contacts.models import ContactRecord
from huoli.conversations.tests.factories import open_line_with_counsellor

pytestmark = pytest.mark.django_db


def log_in(client, user):
    client.logout()
    log_in_with_device(client, user, device_confirmed(user))


def test_calls_are_off_without_a_telephone(client):
    aino = call_taker_on_duty()
    log_in(client, aino)
    data = client.get("/console/phone/").json()
    assert data["enabled"] is False and data["reason"]


@override_settings(HUOLI_TELEPHONY=True)
def test_settings_register_a_call_taker_on_duty(client):
    aino = call_taker_on_duty()
    log_in(client, aino)
    data = client.get("/console/phone/").json()
    assert data["enabled"] and data["register"] and data["user"] == sip_user(aino)
    ben = open_line_with_counsellor()
    log_in(client, ben)
    data = client.get("/console/phone/").json()
    assert data["enabled"] and not data["register"] and data["reason"]


@override_settings(HUOLI_TELEPHONY=True)
def test_answer_and_hang_up(client):
    aino = call_taker_on_duty()
    ben = call_taker_on_duty()
    _ref, answer = phone_call()
    log_in(client, aino)
    response = client.post(f"/console/calls/{answer.conversation_id}/answer/")
    assert response.status_code == 200
    record = ContactRecord.objects.get(conversation_id=answer.conversation_id)
    assert response.json()["record_url"] == f"/console/records/{record.pk}/"
    log_in(client, ben)
    refused = client.post(f"/console/calls/{answer.conversation_id}/answer/")
    assert refused.status_code == 409 and refused.json()["error"]
    assert client.post(f"/console/calls/{answer.conversation_id}/end/").status_code == 409
    log_in(client, aino)
    assert client.post(f"/console/calls/{answer.conversation_id}/end/").status_code == 200
    record.refresh_from_db()
    assert record.ended_at is not None


@override_settings(HUOLI_TELEPHONY=True)
def test_the_record_of_an_answered_call_shows_its_times(client):
    from django.utils import timezone

    from huoli.calls.models import Call
    from huoli.calls.services import call_event

    aino = call_taker_on_duty()
    ref, answer = phone_call()
    log_in(client, aino)
    record_url = client.post(f"/console/calls/{answer.conversation_id}/answer/").json()[
        "record_url"
    ]
    call_event(call_ref=ref, event="ended")
    call = Call.objects.get()
    page = client.get(record_url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Phone call" in page and "Call arrived" in page
    for moment in (call.offered_at, call.answered_at, call.ended_at):
        assert timezone.localtime(moment).strftime("%H:%M:%S") in page


@override_settings(HUOLI_TELEPHONY=True)
def test_decline(client):
    from huoli.calls.models import Call

    aino = call_taker_on_duty()
    _ref, answer = phone_call()
    log_in(client, aino)
    assert client.post(f"/console/calls/{answer.conversation_id}/decline/").status_code == 200
    assert Call.objects.get().declined_users == [aino.pk]
    assert client.post(f"/console/calls/{answer.conversation_id + 99}/decline/").status_code == 409

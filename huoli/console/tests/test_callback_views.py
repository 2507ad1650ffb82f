"""Call-back requests in the console (issue 16): in the queue from their window, taken with
"Take call-back", the number shown only to the counsellor who took it (every showing
audited), and the outcomes: reached opens the record, no answer waits again."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client

from huoli.accounts.tests.factories import log_in_with_device
from huoli.calls.models import CallbackRequest
from huoli.calls.services.callbacks import callback_request
from huoli.conversations.services.queue import duty_set
from huoli.core.audit import AuditEntry
from huoli.core.roles import Role
from huoli.helpline.models import OpeningHours
from huoli.helpline.selectors import HELSINKI
from huoli.helpline.services import opening_hours_around_the_clock

pytestmark = pytest.mark.django_db

MONDAY = dt.date(2027, 3, 1)


def at(hour, minute=0):
    return dt.datetime.combine(MONDAY, dt.time(hour, minute), tzinfo=HELSINKI)


@pytest.fixture
def request_at_16():
    opening_hours_around_the_clock()
    assert OpeningHours.objects.exists()
    with time_machine.travel(at(9), tick=False):
        return callback_request(
            language="fi", number="040 123 4567", slots=[(MONDAY, 16)], ask_for="Leila"
        ).conversation


def test_the_queue_offers_it_from_its_window_and_only_the_taker_sees_the_number(
    client, logged_in, enrolled, request_at_16
):
    with time_machine.travel(at(15, 50), tick=False):  # the session is as old as the test
        counsellor = logged_in(Role.COUNSELLOR, languages=["fi"])
        duty_set(user=counsellor, on_duty=True)
        supervisor, device = enrolled(Role.SUPERVISOR)
        other = Client()
        log_in_with_device(other, supervisor, device)
    pk = request_at_16.pk
    with time_machine.travel(at(15, 59), tick=False):
        assert "Take call-back" not in client.get("/console/").content.decode()
    with time_machine.travel(at(16, 1), tick=False):
        home = client.get("/console/").content.decode()
        assert "Take call-back" in home and "16:00" in home and "4567" not in home
        assert client.post(f"/console/conversations/{pk}/take/").status_code == 302
        before = AuditEntry.objects.count()
        page = client.get(f"/console/conversations/{pk}/").content.decode()
    assert "+358 40 123 4567" in page and "Leila" in page
    assert "Do not say who you are" in page
    actions = list(AuditEntry.objects.order_by("pk")[before:].values_list("action", flat=True))
    assert actions == ["conversation.read", "callback.number_shown"]
    assert all("4567" not in str(e.data) for e in AuditEntry.objects.all())

    with time_machine.travel(at(16, 2), tick=False):
        seen = other.get(f"/console/conversations/{pk}/")
        assert seen.status_code == 200
        html = seen.content.decode()
        assert "4567" not in html and "Leila" not in html
        assert "Only the counsellor who takes the request sees the number." in html
        refused = other.post(f"/console/call-backs/{pk}/outcome/", {"outcome": "reached"})
    assert refused.status_code == 302
    assert CallbackRequest.objects.get(conversation_id=pk).outcome == ""


def test_reached_goes_to_the_record_and_the_page_says_the_number_is_gone(
    client, logged_in, request_at_16
):
    with time_machine.travel(at(16, 0), tick=False):
        counsellor = logged_in(Role.COUNSELLOR, languages=["fi"])
        duty_set(user=counsellor, on_duty=True)
    pk = request_at_16.pk
    with time_machine.travel(at(16, 1), tick=False):
        client.post(f"/console/conversations/{pk}/take/")
        response = client.post(f"/console/call-backs/{pk}/outcome/", {"outcome": "reached"})
    request = CallbackRequest.objects.get(conversation_id=pk)
    record = request.conversation.contact_records.get()
    assert response["Location"] == f"/console/records/{record.pk}/"
    assert (request.outcome, request.number, record.channel) == ("reached", None, "phone")
    with time_machine.travel(at(16, 3), tick=False):
        page = client.get(f"/console/conversations/{pk}/").content.decode()
    assert "The number was deleted on 1.3.2027 16:01." in page
    assert 'name="outcome"' not in page

"""Call-back requests in the console (issue 16): in the queue from their window, taken with
"Take call-back", the number shown only to the counsellor who took it (every showing
audited), and the outcomes: reached opens the record, no answer waits again."""

from __future__ import annotations

import datetime as dt
import re

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


@pytest.fixture(autouse=True)
def english(client):
    # The console speaks Finnish by default; these tests read its English texts.
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


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
        other = Client(HTTP_ACCEPT_LANGUAGE="en")
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


def test_a_counsellor_asks_for_a_call_back_from_a_chat_and_gives_the_code(
    client, logged_in, enrolled
):
    from huoli.conversations.services.queue import conversation_take
    from huoli.conversations.tests.factories import chat_start
    from huoli.helpline.services import flood_switch_set

    opening_hours_around_the_clock()
    with time_machine.travel(at(9), tick=False):
        counsellor = logged_in(Role.COUNSELLOR, languages=["fi", "ar"])
        duty_set(user=counsellor, on_duty=True)
        chat = chat_start(language="ar").conversation
        conversation_take(counsellor=counsellor, conversation_id=chat.pk)
        page = client.get(f"/console/conversations/{chat.pk}/").content.decode()
        assert f'href="/console/conversations/{chat.pk}/call-back/"' in page
        # The flood switch guards the public forms, not a counsellor's request.
        flood_switch_set(by=counsellor, on=True)
        form = client.get(f"/console/conversations/{chat.pk}/call-back/").content.decode()
        assert 'value="ar" selected' in form
        response = client.post(
            f"/console/conversations/{chat.pk}/call-back/",
            {
                "number": "040 765 4321",
                "language": "ar",
                "interpreter": "on",
                "may_say_helpline": "no",
                "ask_for": "Leila",
                "time_1": f"{MONDAY.isoformat()}/16",
            },
        )
    assert response.status_code == 200
    html = response.content.decode()
    code = re.search(r"data-code>([\d ]+)<", html).group(1).replace(" ", "")
    request = CallbackRequest.objects.get()
    assert request.number == "+358407654321" and request.conversation.language == "ar"
    assert request.conversation.interpreter_needed
    assert "no-store" in response["Cache-Control"]
    entry = AuditEntry.objects.get(action="callback.requested_for_family")
    assert entry.actor_id == counsellor.pk and entry.data == {"during": chat.pk}
    # The family can use the code.
    other = Client()
    assert other.post("/en/return/", {"code": code}).status_code == 302
    assert 'data-callback-status="queued"' in other.get("/en/conversation/").content.decode()


def test_only_the_counsellor_answering_may_ask_for_one(client, logged_in, enrolled):
    from huoli.conversations.services.queue import conversation_take
    from huoli.conversations.tests.factories import chat_start

    opening_hours_around_the_clock()
    with time_machine.travel(at(9), tick=False):
        aino, _device = enrolled(Role.COUNSELLOR, languages=["fi"])
        duty_set(user=aino, on_duty=True)
        chat = chat_start(language="fi").conversation
        conversation_take(counsellor=aino, conversation_id=chat.pk)
        logged_in(Role.SUPERVISOR)
        assert client.get(f"/console/conversations/{chat.pk}/call-back/").status_code == 403
        response = client.post(
            f"/console/conversations/{chat.pk}/call-back/",
            {"number": "040 765 4321", "language": "fi", "may_say_helpline": "no",
             "time_1": f"{MONDAY.isoformat()}/16"},
        )  # fmt: skip
    assert response.status_code == 403
    assert not CallbackRequest.objects.exists()

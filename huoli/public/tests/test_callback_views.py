"""Asking for a call back without JavaScript (issue 16): the form, the status page reached
again with the return code in another browser, and cancelling it, which deletes the number."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test import Client

from huoli.calls.models import CallbackRequest
from huoli.conversations.models import Conversation
from huoli.helpline.models import OpeningHours
from huoli.helpline.selectors import HELSINKI
from huoli.helpline.tests.factories import OpeningHoursFactory

pytestmark = pytest.mark.django_db

MONDAY_9 = dt.datetime(2027, 3, 1, 9, 0, tzinfo=HELSINKI)
MONDAY = MONDAY_9.date()


@pytest.fixture(autouse=True)
def evenings_open():
    cache.clear()
    OpeningHours.objects.all().delete()
    for weekday in range(5):
        OpeningHoursFactory(weekday=weekday, opens=dt.time(16), closes=dt.time(20))
    with time_machine.travel(MONDAY_9, tick=False):
        yield
    cache.clear()


def ask(client, **fields):
    data = {
        "number": "040 123 4567",
        "language": "ar",
        "may_say_helpline": "no",
        "ask_for": "Leila",
        "time_1": f"{MONDAY.isoformat()}/18",
        "time_2": "",
        "time_3": "",
    }
    data.update(fields)
    return client.post("/ar/call-back/", data)


def raw_number(pk):
    with connection.cursor() as cursor:
        cursor.execute("SELECT number FROM calls_callbackrequest WHERE id = %s", [pk])
        return cursor.fetchone()[0]


def test_the_home_page_links_to_the_form_which_sets_no_cookie_and_offers_the_opening_hours(
    client,
):
    home = client.get("/fi/").content.decode()
    assert 'href="/fi/call-back/"' in home
    page = client.get("/en/call-back/")
    assert page.status_code == 200 and page.cookies == {}
    html = page.content.decode()
    assert "Send request" in html and 'type="tel"' in html
    # The week's evenings only: Monday to Friday and next Monday, 16-18 and 18-20, grouped
    # by day, in each of the three lists.
    offered = re.findall(r'<option value="(\d{4}-\d\d-\d\d)/(\d+)"', html)
    assert offered[: len(offered) // 3] == [
        ((MONDAY + dt.timedelta(days=n)).isoformat(), hour)
        for n in (0, 1, 2, 3, 4, 7)
        for hour in ("16", "18")
    ]
    assert '<optgroup label="Today">' in html and '<optgroup label="Tomorrow">' in html
    # Saying who we are is off unless the family chooses it.
    assert re.search(r'value="no"[^>]*checked', html)


def test_a_request_without_javascript_shows_its_code_and_status_and_is_found_again(client):
    response = ask(client)
    assert response.status_code == 302 and response["Location"] == "/ar/conversation/"
    request = CallbackRequest.objects.get()
    assert request.number == "+358401234567" and not request.may_say_helpline
    assert request.conversation.language == "ar"
    html = client.get("/en/conversation/").content.decode()
    code = re.search(r'data-code="(\d{16})"', html).group(1)
    assert 'data-callback-status="queued"' in html
    assert "18:00" in html and "20:00" in html and "Finnish time" in html
    assert "4567" not in html and "Leila" not in html  # the page never shows them back

    other = Client()
    assert other.post("/en/return/", {"code": code}).status_code == 302
    again = other.get("/en/conversation/").content.decode()
    assert 'data-callback-status="queued"' in again and "data-code=" not in again
    assert "Cancel the call-back" in again


def test_wrong_entries_get_clear_answers_and_nothing_is_saved(client):
    for fields, text in [
        ({"number": "soita minulle"}, "Check the phone number"),
        ({"time_1": ""}, "Choose at least one time"),
        ({"time_1": f"{MONDAY.isoformat()}/10"}, "Choose one of the options"),
        ({"time_1": f"{(MONDAY - dt.timedelta(days=1)).isoformat()}/16"}, "Choose one of the"),
        ({"time_1": "2027-02-30/16"}, "Choose one of the options"),
    ]:
        response = client.post(
            "/en/call-back/",
            {
                "number": "040 123 4567",
                "language": "fi",
                "may_say_helpline": "no",
                "time_1": f"{MONDAY.isoformat()}/18",
                **fields,
            },
        )
        assert response.status_code == 400, fields
        assert text in response.content.decode(), (fields, text)
        assert response.cookies == {}
    assert not Conversation.objects.exists()


def test_a_time_offered_when_the_form_was_shown_but_past_when_sent_is_refused(client):
    with time_machine.travel(dt.datetime(2027, 3, 1, 15, 0, tzinfo=HELSINKI), tick=False):
        page = client.get("/en/call-back/").content.decode()
    assert f'value="{MONDAY.isoformat()}/16"' in page
    with time_machine.travel(dt.datetime(2027, 3, 1, 17, 45, tzinfo=HELSINKI), tick=False):
        response = ask(client, time_1=f"{MONDAY.isoformat()}/16")
    assert response.status_code == 400
    assert re.search(
        r'class="field has-error">\s*<label for="id_time_1"', response.content.decode()
    )
    assert not Conversation.objects.exists()


def test_cancelling_deletes_the_number_and_the_page_says_when(client):
    ask(client)
    request = CallbackRequest.objects.get()
    assert client.post("/en/call-back/cancel/").status_code == 302
    request.refresh_from_db()
    assert request.outcome == "cancelled" and raw_number(request.pk) is None
    html = client.get("/en/conversation/").content.decode()
    assert "You cancelled the request." in html
    assert "Your phone number was deleted on 1.3.2027 09:00." in html
    assert "Cancel the call-back" not in html


def test_another_browser_cannot_cancel_it_nor_write_in_it(client):
    ask(client)
    other = Client()
    assert other.post("/en/call-back/cancel/").status_code == 404
    # The family's own browser cannot turn it into written messages either.
    response = client.post("/en/conversation/send/", {"body": "hei", "client_id": "x1"})
    assert response.status_code in (400, 409)
    request = CallbackRequest.objects.get()
    assert request.outcome == "" and request.conversation.kind == "callback"
    assert not request.conversation.messages.exists()


def test_the_form_sent_back_with_the_number_is_never_stored(client):
    """The form returned with an error holds the family's number: like the message form
    (and the conversation pages), no browser or proxy may keep a copy."""
    response = ask(client, time_1="")
    assert response.status_code == 400 and "040 123 4567" in response.content.decode()
    assert "no-store" in response.get("Cache-Control", "")
    assert "no-store" in client.get("/ar/call-back/").get("Cache-Control", "")


def test_ending_the_conversation_page_does_not_end_a_call_back_and_midnight_reads_24(client):
    from huoli.helpline.models import MIDNIGHT

    OpeningHoursFactory(weekday=0, opens=dt.time(22), closes=MIDNIGHT)
    assert ask(client, time_1=f"{MONDAY.isoformat()}/22").status_code == 302
    response = client.post("/en/conversation/end/")
    assert response.status_code == 302 and response["Location"] == "/en/conversation/"
    request = CallbackRequest.objects.get()
    assert request.outcome == "" and request.conversation.status == "queued"
    html = client.get("/en/conversation/").content.decode()
    assert "22:00\u201324:00" in html

"""Campaign codes without tracking (issue 19, point 4): a partner's link says ``/fi/?c=koulu``;
the pages carry the code in their links and forms (never a cookie), and a conversation or
call-back that starts from the visit counts one in the campaign's Helsinki month. Nothing
else keeps the code: not the conversation, not the call-back, not a log line."""

from __future__ import annotations

import datetime as dt
import logging
import re

import pytest
import time_machine
from django.apps import apps
from django.core import signing
from django.core.cache import cache
from django.db import connection
from django.test import Client, override_settings

from huoli.calls.models import CallbackRequest
from huoli.calls.services import WEB_TOKEN_SALT
from huoli.calls.tests.factories import call_taker_on_duty
from huoli.conversations.models import Conversation
from huoli.conversations.tests.factories import open_line_with_counsellor
from huoli.helpline.models import FloodSwitch, OpeningHours
from huoli.helpline.selectors import HELSINKI
from huoli.outreach.models import Campaign, CampaignCount

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2027, 3, 10, 12, 0, tzinfo=HELSINKI)
MARCH = dt.date(2027, 3, 1)


@pytest.fixture(autouse=True)
def march():
    cache.clear()
    with time_machine.travel(NOW, tick=False):
        yield
    cache.clear()


@pytest.fixture
def koulu(db):
    return Campaign.objects.create(code="koulu", name="Schools in Helsinki")


def counted(code: str = "koulu", month: dt.date = MARCH) -> int:
    row = CampaignCount.objects.filter(campaign__code=code, month=month).first()
    return row.count if row else 0


def hidden_codes(html: str) -> list[str]:
    return re.findall(r'<input type="hidden" name="c" value="([^"]*)">', html)


def callback_fields(client, code: str = "") -> dict:
    """A call-back request for the first time the page offers."""
    html = client.get("/fi/call-back/").content.decode()
    first = re.search(r'<option value="(\d{4}-\d\d-\d\d/\d+)"', html).group(1)
    fields = {
        "number": "040 123 4567",
        "language": "fi",
        "may_say_helpline": "no",
        "time_1": first,
        "time_2": "",
        "time_3": "",
    }
    return {**fields, "c": code} if code else fields


def test_the_code_travels_in_links_and_forms_and_sets_no_cookie(client):
    open_line_with_counsellor()
    home = client.get("/fi/?c=koulu")
    assert home.status_code == 200 and home.cookies == {} and "Set-Cookie" not in home
    html = home.content.decode()
    # The chat form carries it; the other ways in, the header and the switcher link with it.
    assert hidden_codes(html) == ["koulu"]
    for link in ("/fi/message/?c=koulu", "/fi/call-back/?c=koulu", "/fi/?c=koulu",
                 "/ar/?c=koulu", "/sv/?c=koulu", "/fi/services/?c=koulu"):  # fmt: skip
        assert f'href="{link}"' in html, link
    assert re.search(r'href="/fi/info/[a-z-]+/\?c=koulu"', html)
    for page in ("/fi/message/?c=koulu", "/fi/call-back/?c=koulu"):
        response = client.get(page)
        assert response.cookies == {} and hidden_codes(response.content.decode()) == ["koulu"]
    # Any public page: an information page in Arabic leads to the home page with the code.
    info = client.get("/ar/info/signs/?c=koulu").content.decode()
    assert 'href="/ar/?c=koulu"' in info and 'href="/fi/info/signs/?c=koulu"' in info
    # A QR code's capitals are read as the code; the address without a language keeps it.
    assert hidden_codes(client.get("/fi/?c=KOULU").content.decode()) == ["koulu"]
    assert client.get("/?c=koulu", HTTP_ACCEPT_LANGUAGE="fi")["Location"] == "/fi/?c=koulu"
    # Without a code, nothing of it anywhere.
    plain = client.get("/fi/").content.decode()
    assert hidden_codes(plain) == [] and "?c=" not in plain and "&amp;c=" not in plain


def test_a_code_that_is_not_well_formed_is_dropped_and_never_put_back_into_a_page(client):
    open_line_with_counsellor()
    for raw in ('"><script>alert(1)</script>', "a" * 21, "-x", "koulu koulu", "kö"):
        response = client.get("/fi/", {"c": raw})
        html = response.content.decode()
        assert response.status_code == 200 and hidden_codes(html) == []
        assert "alert" not in html and "?c=" not in html and "&amp;c=" not in html, raw


def test_a_chat_a_message_and_a_call_back_from_the_visit_count_one_each(client, koulu):
    open_line_with_counsellor()
    assert counted() == 0
    assert client.post("/fi/chat/start/", {"language": "fi", "c": "koulu"}).status_code == 302
    assert counted() == 1
    posted = {"body": "Huoli pojasta", "language": "fi", "client_id": "a1", "c": "koulu"}
    assert Client().post("/fi/message/", posted).status_code == 302
    assert counted() == 2
    visitor = Client()
    assert visitor.post("/fi/call-back/", callback_fields(visitor, "koulu")).status_code == 302
    assert counted() == 3
    assert Conversation.objects.count() == 3 and CallbackRequest.objects.count() == 1
    # One row for the month, nothing for other campaigns or months.
    assert list(CampaignCount.objects.values_list("campaign__code", "month", "count")) == [
        ("koulu", MARCH, 3)
    ]


def test_the_month_is_helsinkis(client, koulu):
    open_line_with_counsellor()
    # 31 March 23:30 in Helsinki is still March there (21:30 UTC).
    with time_machine.travel(dt.datetime(2027, 3, 31, 23, 30, tzinfo=HELSINKI), tick=False):
        client.post("/fi/chat/start/", {"language": "fi", "c": "koulu"})
    with time_machine.travel(dt.datetime(2027, 4, 1, 0, 30, tzinfo=HELSINKI), tick=False):
        Client().post("/fi/chat/start/", {"language": "fi", "c": "koulu"})
    assert counted(month=MARCH) == 1 and counted(month=dt.date(2027, 4, 1)) == 1


def test_each_start_counts_once_as_each_makes_its_own_conversation(client, koulu):
    """The start is not idempotent: a second press of "Start chat" is a second conversation
    (with its own return code), so it counts again; the count follows the conversations."""
    open_line_with_counsellor()
    for _press in range(2):
        client.post("/fi/chat/start/", {"language": "fi", "c": "koulu"})
    assert Conversation.objects.count() == 2 and counted() == 2


def test_unknown_inactive_and_malformed_codes_count_nothing_and_refuse_nothing(client, koulu):
    Campaign.objects.create(code="vanha", name="Old leaflet", active=False)
    open_line_with_counsellor()
    for code in ("tuntematon", "vanha", "KOULU!", "<b>koulu</b>", "x" * 30):
        response = Client().post("/fi/chat/start/", {"language": "fi", "c": code})
        assert response.status_code == 302, code
    assert Conversation.objects.count() == 5
    assert not CampaignCount.objects.exists()


def test_a_refused_or_invalid_start_counts_nothing(client, koulu):
    # The line closed: a chat is refused, a message with an empty body is invalid.
    OpeningHours.objects.all().delete()
    refused = client.post("/fi/chat/start/", {"language": "fi", "c": "koulu"})
    assert refused.status_code == 409
    # The refusal's page still carries the code for the visitor's next try.
    assert 'href="/fi/message/?c=koulu"' in refused.content.decode()
    empty = {"body": "", "language": "fi", "client_id": "a", "c": "koulu"}
    invalid = client.post("/fi/message/", empty)
    assert invalid.status_code == 400 and hidden_codes(invalid.content.decode()) == ["koulu"]
    # The flood switch on: a chat without the proof of work waits in the waiting room.
    open_line_with_counsellor()
    switch = FloodSwitch.current()
    switch.on, switch.bits, switch.wait_seconds = True, 10, 20
    switch.save()
    waiting = client.post("/fi/chat/start/", {"language": "fi", "c": "koulu"})
    assert waiting.status_code == 429 and hidden_codes(waiting.content.decode()) == ["koulu"]
    assert not Conversation.objects.exists()
    assert not CampaignCount.objects.exists()


def test_a_visit_with_a_code_that_starts_nothing_counts_nothing(client, koulu):
    open_line_with_counsellor()
    for page in ("/fi/", "/fi/message/", "/fi/call-back/", "/fi/info/", "/fi/services/"):
        assert client.get(page, {"c": "koulu"}).status_code == 200
    assert not CampaignCount.objects.exists()


def test_the_language_choice_and_the_waiting_room_carry_the_code_on(client, koulu):
    """Nobody on duty speaks Arabic: the page offering a chat in Finnish or a message in
    Arabic carries the code, and the chat started there counts."""
    open_line_with_counsellor(languages=["fi"])
    page = client.post("/ar/chat/start/", {"language": "ar", "c": "koulu"})
    html = page.content.decode()
    assert page.status_code == 200 and "language_confirmed" in html
    assert set(hidden_codes(html)) == {"koulu"}
    assert 'href="/ar/message/?language=ar&amp;c=koulu"' in html
    # The switcher of a POST's result links to the home page with the code.
    assert 'href="/fi/?c=koulu"' in html
    posted = {"language": "fi", "language_confirmed": "1", "c": "koulu"}
    assert client.post("/ar/chat/start/", posted).status_code == 302
    assert counted() == 1


def stored_outside_outreach() -> str:
    """Every row of every table but the campaigns' own, as text."""
    rows = []
    with connection.cursor() as cursor:
        for model in apps.get_models():
            if model._meta.app_label == "outreach":
                continue
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(model._meta.db_table)}")  # noqa: S608
            rows.extend(repr(row) for row in cursor.fetchall())
    return "\n".join(rows)


def test_the_code_is_kept_nowhere_but_in_the_months_number(client, caplog):
    caplog.set_level(logging.DEBUG)
    code = "kampanja-q7x"
    Campaign.objects.create(code=code, name="Mosques")
    open_line_with_counsellor()
    client.post("/fi/chat/start/", {"language": "fi", "c": code})
    Client().post("/fi/message/", {"body": "Hei", "language": "fi", "client_id": "b", "c": code})
    visitor = Client()
    visitor.post("/fi/call-back/", callback_fields(visitor, code))
    assert Conversation.objects.count() == 3 and CallbackRequest.objects.count() == 1
    assert counted(code) == 3
    assert code not in stored_outside_outreach()
    assert all(code not in record.getMessage() for record in caplog.records)
    assert list(CampaignCount.objects.values_list("count", flat=True)) == [3]


@override_settings(HUOLI_TELEPHONY=True)
def test_a_web_call_carries_the_code_in_its_token_only(client, koulu):
    call_taker_on_duty()
    page = client.get("/fi/call/?c=koulu").content.decode()
    assert 'data-campaign="koulu"' in page
    response = client.post("/fi/call/start/", {"language": "fi", "c": "koulu"})
    assert response.status_code == 200 and not response.cookies
    assert signing.loads(response.json()["token"], salt=WEB_TOKEN_SALT)["c"] == "koulu"
    # Permission to call is no call: nothing counted until the call starts (phone tests).
    assert not CampaignCount.objects.exists()
    plain = client.post("/fi/call/start/", {"language": "fi"}).json()["token"]
    assert "c" not in signing.loads(plain, salt=WEB_TOKEN_SALT)

"""The "Call us" page and its start: only with the telephone on, only while calls are open,
a token for the line of the page's language, and none while the flood switch is on."""

from __future__ import annotations

import pytest
from django.core import signing
from django.test import override_settings

from huoli.calls.services import WEB_TOKEN_SALT
from huoli.calls.tests.factories import call_taker_on_duty
from huoli.conversations.tests.factories import open_line_with_counsellor
from huoli.helpline.models import FloodSwitch

pytestmark = pytest.mark.django_db


def test_without_a_telephone_there_is_no_call_page(client):
    call_taker_on_duty()
    assert client.get("/fi/call/").status_code == 404
    assert client.post("/fi/call/start/").status_code == 404
    assert "/fi/call/" not in client.get("/fi/").content.decode()


@override_settings(HUOLI_TELEPHONY=True)
def test_call_us_shows_while_someone_on_duty_takes_calls(client):
    open_line_with_counsellor()  # on duty, takes no calls
    assert 'href="/fi/call/"' not in client.get("/fi/").content.decode()
    page = client.get("/fi/call/").content.decode()
    assert "data-call" not in page and 'href="/fi/message/"' in page
    assert client.post("/fi/call/start/").status_code == 409
    call_taker_on_duty()
    assert 'href="/fi/call/"' in client.get("/fi/").content.decode()
    assert "data-call" in client.get("/fi/call/").content.decode()


@override_settings(HUOLI_TELEPHONY=True)
def test_the_start_gives_a_token_for_the_asked_line_and_sets_no_cookie(client):
    call_taker_on_duty()
    response = client.post("/ar/call/start/", {"language": "sv"})
    assert response.status_code == 200 and not response.cookies
    data = response.json()
    assert data["line"] == "sv"
    assert signing.loads(data["token"], salt=WEB_TOKEN_SALT)["l"] == "sv"
    assert client.post("/ar/call/start/", {"language": "xx"}).json()["line"] == "ar"


@override_settings(HUOLI_TELEPHONY=True)
def test_no_web_call_starts_from_another_site(client):
    call_taker_on_duty()
    response = client.post("/fi/call/start/", HTTP_ORIGIN="https://evil.example")
    assert response.status_code == 403


@override_settings(HUOLI_TELEPHONY=True)
def test_while_the_flood_switch_is_on_web_calls_wait(client):
    call_taker_on_duty()
    switch = FloodSwitch.saved()
    switch.on = True
    switch.save()
    response = client.post("/fi/call/start/")
    assert response.status_code == 429 and response.json()["error"]

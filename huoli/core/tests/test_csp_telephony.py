"""The SIP server's WebSocket is in connect-src only where a softphone is (every console
page, the public "Call us" page) and only while telephony is on (core.middleware)."""

import pytest

pytestmark = pytest.mark.django_db

SIP = "ws://127.0.0.1:5066"


def connect_src(response) -> str:
    policy = dict(
        part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";")
    )
    return policy["connect-src"]


@pytest.fixture
def telephony(settings):
    settings.HUOLI_TELEPHONY = True
    settings.HUOLI_SIP_WS_URL = f"{SIP}/some/path"
    return settings


def test_with_telephony_off_no_page_may_reach_a_sip_server(client, settings):
    settings.HUOLI_TELEPHONY = False
    for path in ("/console/login/", "/en/call/", "/en/"):
        assert connect_src(client.get(path)) == "'self'", path


def test_with_telephony_on_the_softphone_pages_may_reach_its_origin(client, telephony):
    for path in ("/console/login/", "/en/call/", "/ar/call/"):
        assert connect_src(client.get(path)) == f"'self' {SIP}", path
    for path in ("/en/", "/en/message/", "/en/services/"):
        assert connect_src(client.get(path)) == "'self'", path


def test_the_console_phone_says_calls_are_off(logged_in, client, settings):
    settings.HUOLI_TELEPHONY = False
    logged_in()
    answer = client.get("/console/phone/").json()
    assert answer["enabled"] is False
    assert answer["register"] is False
    from django.utils.translation import gettext, override

    with override("fi"):  # the console's language
        expected = gettext("Calls are off: this installation has no telephone.")
    assert answer["reason"] == expected != "Calls are off: this installation has no telephone."


def test_the_media_may_come_only_from_us(client):
    assert "media-src 'self'" in client.get("/en/call/")["Content-Security-Policy"]

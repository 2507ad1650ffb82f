"""The flood switch: with it on, a new chat needs the browser's proof of work or a wait in
the waiting room (which works without JavaScript); each is accepted once."""

import itertools
import re
from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.utils import timezone

from huoli.conversations.models import Conversation
from huoli.conversations.services import duty_set
from huoli.core.models import AuditEntry
from huoli.helpline.flood import challenge_issue, gate_check, leading_zero_bits, work_done
from huoli.helpline.models import FloodSwitch
from huoli.helpline.services import opening_hours_around_the_clock

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture(autouse=True)
def open_line(staff_factory):
    cache.clear()
    opening_hours_around_the_clock()
    duty_set(user=staff_factory(role="counsellor"), on_duty=True)
    yield
    cache.clear()


@pytest.fixture
def flood_on():
    switch = FloodSwitch.current()
    switch.on, switch.bits, switch.wait_seconds = True, 10, 20
    switch.save()
    return switch


def solve(challenge: str, bits: int) -> str:
    for n in itertools.count():
        if work_done(challenge, str(n)) >= bits:
            return str(n)


def test_leading_zero_bits():
    assert leading_zero_bits(b"\x00\x00\xff") == 16
    assert leading_zero_bits(b"\x00\x01") == 15
    assert leading_zero_bits(b"\x80") == 0
    assert leading_zero_bits(b"\x00" * 32) == 256


def test_with_the_switch_off_a_chat_starts_at_once(client):
    assert 'name="pow_challenge"' not in client.get("/en/").content.decode()
    assert client.post("/en/chat/start/", {"language": "fi"}).status_code == 302


def test_a_solved_challenge_starts_one_chat_and_cannot_be_used_again(client, flood_on):
    html = client.get("/en/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    challenge = re.search(r'name="pow_challenge" value="([^"]+)"', html).group(1)
    assert "public/pow.js" in html
    unsolved = client.post("/en/chat/start/", {"language": "fi", "pow_challenge": challenge})
    assert unsolved.status_code == 429
    assert "Please wait a moment" in unsolved.content.decode()
    wrong = next(str(n) for n in itertools.count() if work_done(challenge, str(n)) < 10)
    assert (
        client.post(
            "/en/chat/start/", {"language": "fi", "pow_challenge": challenge, "pow_nonce": wrong}
        ).status_code
        == 429
    )
    nonce = solve(challenge, 10)
    posted = {"language": "fi", "pow_challenge": challenge, "pow_nonce": nonce}
    assert client.post("/en/chat/start/", posted).status_code == 302
    assert Conversation.objects.count() == 1
    assert client.post("/en/chat/start/", posted).status_code == 429  # replayed
    assert Conversation.objects.count() == 1


def test_a_forged_or_old_challenge_is_refused(flood_on):
    challenge = challenge_issue(10)
    forged = challenge.replace(challenge.split(":")[0], challenge_issue(1).split(":")[0])
    assert not gate_check(
        challenge=forged, nonce=solve(forged, 1), ticket="", wait_seconds=20
    ).passed
    nonce = solve(challenge, 10)
    with time_machine.travel(timezone.now() + timedelta(minutes=11)):
        assert not gate_check(challenge=challenge, nonce=nonce, ticket="", wait_seconds=20).passed


def test_without_javascript_the_waiting_room_lets_the_chat_start_after_the_wait(client, flood_on):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        room = client.post(
            "/en/chat/start/", {"language": "en", "nickname": "M"}, HTTP_ACCEPT_LANGUAGE="en"
        )
        assert room.status_code == 429
        html = room.content.decode()
        assert "Wait 20 seconds, then press the button below." in html
        ticket = re.search(r'name="ticket" value="([^"]+)"', html).group(1)
        assert 'name="nickname" value="M"' in html
    with time_machine.travel(start + timedelta(seconds=12), tick=False):
        early = client.post(
            "/en/chat/start/",
            {"language": "en", "nickname": "M", "ticket": ticket},
            HTTP_ACCEPT_LANGUAGE="en",
        )
        assert early.status_code == 429
        assert "Please wait 8 more seconds" in early.content.decode()
        assert ticket in early.content.decode()  # the same ticket, so the wait does not restart
    with time_machine.travel(start + timedelta(seconds=21), tick=False):
        posted = {"language": "en", "nickname": "M", "ticket": ticket}
        assert client.post("/en/chat/start/", posted).status_code == 302
        assert client.post("/en/chat/start/", posted).status_code == 429  # once only
    assert Conversation.objects.get().nickname == "M"
    assert room.cookies == {}  # nothing kept about the visitor before the chat


def test_supervisors_turn_the_switch_on_and_off_from_the_console_home(client, logged_in):
    logged_in("supervisor")
    home = client.get("/console/").content.decode()
    assert "Flood protection for new chats" in home and "Turn flood protection on" in home
    client.post("/console/flood/", {"on": "1"})
    assert FloodSwitch.current().on
    assert "Turn flood protection off" in client.get("/console/").content.decode()
    client.post("/console/flood/", {"on": "0"})
    assert not FloodSwitch.current().on
    actions = AuditEntry.objects.filter(action="helpline.flood_switch").order_by("seq")
    assert [entry.data for entry in actions] == [{"on": True}, {"on": False}]


def test_counsellors_cannot_turn_the_switch(client, logged_in):
    logged_in("counsellor")
    assert "Flood protection" not in client.get("/console/").content.decode()
    assert client.post("/console/flood/", {"on": "1"}).status_code == 403
    assert not FloodSwitch.current().on

"""Supervisors see calls: waiting ones in the queue with their place and waiting time, those
in progress in the live list with their length and counsellor, and on the duty list who
takes calls and who is on a call now (issue 15, point 5)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from huoli.accounts.tests.factories import StaffFactory, device_confirmed, log_in_with_device
from huoli.calls.tests.factories import call_at, call_taker_on_duty, phone_call
from huoli.conversations.tests.factories import chat_start, open_line_with_counsellor
from huoli.core.roles import Role

pytestmark = pytest.mark.django_db


def panel(client, user, at) -> str:
    log_in_with_device(client, user, device_confirmed(user))
    with time_machine.travel(at, tick=False):
        response = client.get("/console/work/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    return response.content.decode()


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


@pytest.fixture
def calls_now(db):
    """Now: Aino on a call answered 2:30 ago; two calls waiting 1:15 and 0:20 (Ben, on
    duty, does not take calls); a chat waiting 0:40."""
    now = timezone.now().replace(microsecond=0)
    aino = call_taker_on_duty(first_name="Aino")
    ben = open_line_with_counsellor(first_name="Ben")
    call_at(now - timedelta(minutes=3), by=aino, wait=30)
    waiting = []
    for ago in (75, 20):
        with time_machine.travel(now - timedelta(seconds=ago), tick=False):
            _ref, answer = phone_call()
        assert answer.action == "queue"
        waiting.append(answer.conversation_id)
    with time_machine.travel(now - timedelta(seconds=40), tick=False):
        chat_start(language="fi")
    return {"now": now, "aino": aino, "ben": ben, "waiting": waiting}


def test_waiting_calls_show_their_place_and_waiting_time_in_the_queue(client, calls_now):
    html = panel(client, StaffFactory(role=Role.SUPERVISOR), calls_now["now"])
    rows = re.findall(r'<tr[^>]*data-kind="(\w+)"[^>]*>(.*?)</tr>', html, re.S)
    calls = [text(row) for kind, row in rows if kind == "call"]
    assert len(calls) == 2
    assert "1:15 call 1" in calls[0] and "Phone call" in calls[0]
    assert "0:20 call 2" in calls[1] and "Phone call" in calls[1]
    chats = [text(row) for kind, row in rows if kind == "chat"]
    assert len(chats) == 1 and "0:40 chat 1" in chats[0]
    assert 'data-elapsed="75"' in html
    # A call is answered in the softphone, never taken from the queue.
    assert "Take chat" in html and html.count("Rings in the softphone") == 2


def test_a_call_in_progress_shows_its_length_and_counsellor_in_the_live_list(client, calls_now):
    html = panel(client, StaffFactory(role=Role.SUPERVISOR), calls_now["now"])
    live = html[html.index('id="live-heading"') :]
    calls = [text(item) for item in re.findall(r'<li data-kind="call">(.*?)</li>', live, re.S)]
    assert len(calls) == 1
    assert "Phone call" in calls[0] and "Aino" in calls[0] and "on the call 2:30" in calls[0]
    assert 'data-elapsed="150"' in live


def test_the_duty_list_says_who_takes_calls_and_who_is_on_a_call(client, calls_now):
    html = panel(client, StaffFactory(role=Role.SUPERVISOR), calls_now["now"])
    duty = html[html.index('class="duty-list"') :]
    items = {text(i).split()[0]: text(i) for i in re.findall(r"<li>(.*?)</li>", duty, re.S)}
    assert "On a call" in items["Aino"] and "Takes calls" in items["Aino"]
    assert "No calls" in items["Ben"] and "On a call" not in items["Ben"]


def test_a_counsellor_sees_the_waiting_calls_but_not_the_live_list(client, calls_now):
    html = panel(client, calls_now["ben"], calls_now["now"])
    assert html.count('data-kind="call"') == 2 and "1:15" in html
    assert 'id="live-heading"' not in html and "duty-list" not in html

"""The waiting visitor's offer (issue 18), without JavaScript: after the waiting limit the
page offers to keep waiting or to leave the chat as a message; both are plain forms."""

import datetime as dt
import re

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client

from huoli.conversations.models import Conversation
from huoli.conversations.services.messages import message_post
from huoli.conversations.services.queue import conversation_take
from huoli.helpline.models import WaitingLimit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def clean_cache():
    cache.clear()
    yield
    cache.clear()


def page(client) -> str:
    return client.get("/en/conversation/", HTTP_ACCEPT_LANGUAGE="en").content.decode()


def offer(html: str) -> str | None:
    """The offer's opening tag, or None when the page has none."""
    found = re.search(r"<section[^>]*data-wait-offer[^>]*>", html)
    return found.group(0) if found else None


def status(html: str) -> str:
    line = re.search(r"<p[^>]*data-status[^>]*>(.*?)</p>", html, re.S).group(1)
    return " ".join(line.split())


@pytest.fixture
def waiting(client, counsellor_on_duty):
    """A chat started in ``client`` (a ten-minute limit), with one message; returns it."""
    row = WaitingLimit.saved()
    row.chat_minutes = 10
    row.save()
    assert client.post("/en/chat/start/", {"language": "en", "nickname": ""}).status_code == 302
    conversation = Conversation.objects.get()
    message_post(conversation=conversation, sender="visitor", client_id="x", body="My son")
    return conversation


def test_the_offer_waits_hidden_with_the_seconds_until_the_limit(client, waiting):
    tag = offer(page(client))
    assert tag is not None and " hidden" in tag
    seconds = int(re.search(r'data-offer-in="(\d+)"', tag).group(1))
    assert 595 <= seconds <= 600


def test_after_the_limit_the_visitor_leaves_the_chat_as_a_message(client, waiting):
    with time_machine.travel(dt.timedelta(minutes=11)):
        html = page(client)
        tag = offer(html)
        assert tag is not None and " hidden" not in tag and 'data-offer-in="0"' in tag
        assert "Answer me later" in html and "Keep waiting" in html
        response = client.post("/en/conversation/to-message/")
    assert response.status_code == 302 and response["Location"].endswith("/conversation/")
    waiting.refresh_from_db()
    assert (waiting.kind, waiting.status) == ("message", "queued")
    html = page(client)
    assert offer(html) is None
    assert status(html) == (
        "We answer your messages here. Come back later with your return code to read the answer."
    )
    assert "My son" in html
    assert "End chat" not in html
    # Pressed again (a double click, a second tab): done already, nothing changes.
    with time_machine.travel(dt.timedelta(minutes=12)):
        again = client.post("/en/conversation/to-message/")
    assert again.status_code == 302 and again["Location"].endswith("/conversation/")
    assert Conversation.objects.filter(kind="message").count() == 1


def test_before_the_limit_the_post_is_refused_with_a_clear_answer(client, waiting):
    response = client.post("/en/conversation/to-message/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 409
    html = response.content.decode()
    assert "A counsellor will answer soon. Please wait a little longer." in html
    waiting.refresh_from_db()
    assert waiting.kind == "chat"


def test_keeping_waiting_puts_the_offer_away_for_another_limit(client, waiting):
    with time_machine.travel(dt.timedelta(minutes=11)):
        response = client.post("/en/conversation/keep-waiting/")
        assert response.status_code == 302
        tag = offer(page(client))
        assert " hidden" in tag
        assert 595 <= int(re.search(r'data-offer-in="(\d+)"', tag).group(1)) <= 600
    with time_machine.travel(dt.timedelta(minutes=22)):
        assert " hidden" not in offer(page(client))
    waiting.refresh_from_db()
    assert waiting.kind == "chat"


def test_no_offer_once_a_counsellor_took_it_or_without_the_conversation(
    client, waiting, counsellor_on_duty
):
    conversation_take(counsellor=counsellor_on_duty, conversation_id=waiting.pk)
    with time_machine.travel(dt.timedelta(minutes=11)):
        assert offer(page(client)) is None
        refused = client.post("/en/conversation/to-message/", HTTP_ACCEPT_LANGUAGE="en")
        assert refused.status_code == 409
        # Said, though the page (a chat with a counsellor now) has no offer to say it in.
        assert "Only a chat that is still waiting can become a message." in (
            refused.content.decode()
        )
        assert Client().post("/en/conversation/to-message/").status_code == 404
        assert Client().post("/en/conversation/keep-waiting/").status_code == 404


def test_a_post_from_another_site_is_refused(client, waiting):
    with time_machine.travel(dt.timedelta(minutes=11)):
        response = client.post(
            "/en/conversation/to-message/", HTTP_ORIGIN="https://elsewhere.example"
        )
    assert response.status_code == 403
    waiting.refresh_from_db()
    assert waiting.kind == "chat"

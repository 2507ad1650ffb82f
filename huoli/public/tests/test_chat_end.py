"""After a chat ends (issue 21, points 15 and 16): the page says so and what writing now does;
the feedback question is asked once per conversation, on the device that saw the end, and a
return with the code (on any device) never asks it again."""

import re

import pytest
from django.core.cache import cache
from django.test import Client

from huoli.conversations.models import Conversation, Feedback
from huoli.conversations.services.queue import conversation_end, conversation_take

pytestmark = pytest.mark.django_db

QUESTION = "Was this conversation helpful?"
ENDED = (
    "This chat has ended. If you write now, your message is answered later, here: "
    "come back with your return code to read the answer."
)


@pytest.fixture(autouse=True)
def clean_cache():
    cache.clear()
    yield
    cache.clear()


def page(client) -> str:
    return client.get("/en/conversation/", HTTP_ACCEPT_LANGUAGE="en").content.decode()


@pytest.fixture
def ended_chat(client, counsellor_on_duty):
    """A chat started in ``client``, taken, ended by the counsellor; returns its code."""
    client.post("/en/chat/start/", {"language": "en", "nickname": ""})
    code = re.search(r'data-code="(\d{16})"', page(client)).group(1)
    conversation = Conversation.objects.get()
    conversation_take(counsellor=counsellor_on_duty, conversation_id=conversation.pk)
    assert status(page(client)).startswith("You are talking with ")
    conversation_end(conversation=conversation, ended_by="counsellor", by=counsellor_on_duty)
    return code


def status(html: str) -> str:
    """The page's status line, as read."""
    line = re.search(r"<p[^>]*data-status[^>]*>(.*?)</p>", html, re.S).group(1)
    return " ".join(line.split())


def returned(code: str, client=None) -> Client:
    client = client or Client()
    assert client.post("/en/return/", {"code": code}).status_code == 302
    return client


def test_the_ended_chat_says_that_writing_now_is_a_message_answered_later(client, ended_chat):
    assert status(page(client)) == ENDED
    client.post("/en/conversation/send/", {"body": "One more thing", "client_id": "late"})
    assert Conversation.objects.get().kind == "message"
    assert status(page(client)) == (
        "We answer your messages here. Come back later with your return code to read the answer."
    )


def test_the_question_stays_on_the_device_that_saw_the_end_until_answered(client, ended_chat):
    assert QUESTION in page(client)
    assert QUESTION in page(client)  # a reload before answering
    client.post("/en/conversation/feedback/", {"answer": "yes"})
    client.post("/en/conversation/feedback/", {"answer": "no"})
    html = page(client)
    assert QUESTION not in html and "Thank you for your answer." in html
    assert list(Feedback.objects.values_list("answer", flat=True)) == ["yes"]


def test_a_return_with_the_code_after_answering_does_not_ask_again(client, ended_chat):
    assert QUESTION in page(client)
    client.post("/en/conversation/feedback/", {"answer": "yes"})
    for again in (returned(ended_chat, client), returned(ended_chat)):
        assert QUESTION not in page(again)
        again.post("/en/conversation/feedback/", {"answer": "no"})
    assert list(Feedback.objects.values_list("answer", flat=True)) == ["yes"]


def test_a_return_with_the_code_before_answering_does_not_ask_again(client, ended_chat):
    assert QUESTION in page(client)
    later = returned(ended_chat)
    html = page(later)
    assert QUESTION not in html and "Thank you for your answer." not in html
    later.post("/en/conversation/feedback/", {"answer": "no"})
    assert not Feedback.objects.exists()


def test_an_answer_posted_without_the_question_is_not_counted(client, ended_chat):
    client.post("/en/conversation/feedback/", {"answer": "no"})  # the ended page never shown
    assert not Feedback.objects.exists()
    # Never asked on any device: the first one to open the ended chat is asked, once.
    later = returned(ended_chat)
    assert QUESTION in page(later)
    assert QUESTION not in page(returned(ended_chat))

"""Going off duty from the console (issue 18): refused while the counsellor still answers a
chat, with the refusal and a link to each chat to transfer or end it."""

import pytest

from huoli.accounts.models import CounsellorProfile
from huoli.conversations.models import Conversation
from huoli.conversations.services.queue import conversation_end
from huoli.conversations.tests.factories import chat_start, chat_taken
from huoli.core.roles import Role

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def on_duty(user) -> bool:
    return CounsellorProfile.objects.get(user=user).on_duty


def test_off_duty_with_an_open_chat_is_refused_and_the_panel_links_the_chat(client, logged_in):
    aino = logged_in(Role.COUNSELLOR)
    chat = chat_taken(counsellor=aino, nickname="Mother").conversation
    response = client.post("/console/duty/", {"on_duty": "0"}, follow=True)
    html = response.content.decode()
    assert "You still have open chats: Chat " in html
    assert "Transfer them to a colleague or end them before you go off duty." in html
    assert "Before you go off duty, transfer these chats to a colleague or end them:" in html
    assert f'href="/console/conversations/{chat.pk}/"' in html
    assert on_duty(aino)
    panel = client.get("/console/work/").content.decode()
    assert "data-open-chats" in panel and f"/console/conversations/{chat.pk}/" in panel

    conversation_end(conversation=chat, ended_by="counsellor", by=aino)
    response = client.post("/console/duty/", {"on_duty": "0"}, follow=True)
    assert "You are off duty." in response.content.decode()
    assert not on_duty(aino)


def test_the_last_counsellor_off_duty_leaves_the_waiting_chats_as_messages(client, logged_in):
    aino = logged_in(Role.COUNSELLOR)
    client.post("/console/duty/", {"on_duty": "1"})
    waiting = chat_start(language="fi").conversation
    assert "data-open-chats" not in client.get("/console/work/").content.decode()
    client.post("/console/duty/", {"on_duty": "0"})
    assert not on_duty(aino)
    assert Conversation.objects.get(pk=waiting.pk).kind == "message"

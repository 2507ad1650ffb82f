"""Flagging a conversation as abusive from the console, with or without blocking its code."""

import pytest

from huoli.conversations.models import Conversation
from huoli.conversations.services.queue import conversation_take, duty_set
from huoli.conversations.tests.factories import chat_start
from huoli.core.roles import Role

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def taken_chat(counsellor) -> Conversation:
    duty_set(user=counsellor, on_duty=True)
    access = chat_start(language="fi")
    return conversation_take(counsellor=counsellor, conversation_id=access.conversation.pk)


def test_the_counsellor_flags_and_blocks_and_the_page_says_so(client, logged_in):
    counsellor = logged_in(Role.COUNSELLOR)
    conversation = taken_chat(counsellor)
    url = f"/console/conversations/{conversation.pk}/"
    page = client.get(url).content.decode()
    assert "Flag as abusive" in page and 'name="block_code"' in page
    missing = client.post(f"{url}flag/", {"reason": ""}, follow=True)
    assert "Choose a reason." in missing.content.decode()
    done = client.post(
        f"{url}flag/", {"reason": "harassment", "note": "<b>toistuvaa</b>", "block_code": "1"}
    )
    assert done["Location"] == url
    page = client.get(url).content.decode()
    assert "Flagged as abusive (Harassment or insults)" in page
    assert "Its return code is blocked." in page
    assert "&lt;b&gt;toistuvaa&lt;/b&gt;" in page
    conversation.refresh_from_db()
    assert conversation.status == "ended" and conversation.code_blocked_at is not None


def test_another_counsellor_cannot_flag_by_changing_the_id(client, logged_in, staff_factory):
    owner = staff_factory(role=Role.COUNSELLOR)
    conversation = taken_chat(owner)
    logged_in(Role.COUNSELLOR)
    response = client.post(
        f"/console/conversations/{conversation.pk}/flag/",
        {"reason": "harassment", "block_code": "1"},
    )
    assert response.status_code == 404
    conversation.refresh_from_db()
    assert conversation.flagged_at is None and conversation.code_blocked_at is None

"""A message whose event never reached the pages (the channel layer lost it: a failed publish,
a subscriber Redis dropped) still shows on both open pages, without a reload or a reconnect:
a later message's seq tells each page that one is missing, and the page asks for it
(``shared/message_gaps.js``, decision 0008)."""

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from huoli.conversations.models import Conversation
from huoli.conversations.services.messages import message_post
from huoli.core import events
from huoli.tests.browser.test_chat import bodies
from huoli.tests.browser.test_records import chat_taken

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_message_whose_event_was_lost_reaches_both_open_pages(demo_staff, asgi_server, browser):
    staff, visitor = chat_taken(browser, asgi_server.url)
    conversation = Conversation.objects.get(
        pk=staff.locator("[data-console-chat]").get_attribute("data-conversation")
    )
    visitor.get_by_label("Message").fill("First")
    visitor.get_by_label("Message").press("Enter")
    expect(bodies(staff)).to_have_text(["First"])

    # Stored and committed, but its event goes nowhere: what a lost publish leaves.
    with events.collected() as kept:
        message_post(
            conversation=conversation,
            sender="counsellor",
            author=get_user_model().objects.get(username="counsellor"),
            client_id="lost-on-the-way",
            body="Lost on the way",
        )
    assert [message["event"]["type"] for _group, message in kept[:1]] == ["conversation.message"]

    # Until another message comes, nothing tells the pages; then both ask and show it.
    visitor.get_by_label("Message").fill("After")
    visitor.get_by_label("Message").press("Enter")
    expect(bodies(visitor)).to_have_text(["First", "Lost on the way", "After"])
    expect(bodies(staff)).to_have_text(["First", "Lost on the way", "After"])
    # Once each, and nothing left pending on the visitor's page.
    expect(visitor.get_by_text("Sending…")).to_have_count(0)
    expect(visitor.locator('[data-messages] [data-seq="2"]')).to_have_count(1)
    expect(staff.locator('[data-messages] [data-seq="2"]')).to_have_count(1)

"""A long conversation's pages show its latest messages, live, and earlier ones a page at a
time behind a link (``conversations.selectors.messages_before``): no page load reads and
decrypts a whole history, and the live page neither asks for the rest nor misses what comes."""

import pytest
from playwright.sync_api import expect

from huoli.conversations import selectors
from huoli.tests.browser.test_chat import bodies
from huoli.tests.browser.test_lost_event import chat_with_a_first_message, stored_unannounced

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_both_pages_show_the_latest_live_and_the_earlier_ones_behind_a_link(
    demo_staff, asgi_server, browser, monkeypatch
):
    staff, visitor, conversation = chat_with_a_first_message(browser, asgi_server.url)
    for n in range(2, 7):
        sender = "visitor" if n % 2 else "counsellor"
        stored_unannounced(conversation, sender, f"earlier-{n}", f"Message {n}")
    monkeypatch.setattr(selectors, "MESSAGES_PER_PAGE", 3)
    for page in (staff, visitor):
        page.reload()
        expect(bodies(page)).to_have_text(["Message 4", "Message 5", "Message 6"])

    # Live on the latest: a new message reaches both pages, and neither asks for the rest.
    visitor.get_by_label("Message").fill("Live")
    visitor.get_by_label("Message").press("Enter")
    for page in (staff, visitor):
        expect(bodies(page)).to_have_text(["Message 4", "Message 5", "Message 6", "Live"])
    expect(visitor.get_by_text("Sending…")).to_have_count(0)

    # The earlier ones, a page at a time, and back to the live page.
    for page in (staff, visitor):
        page.get_by_role("link", name="Show earlier messages").click()
        expect(page.get_by_role("heading", name="Earlier messages")).to_be_visible()
        expect(page.locator(".messages .message .body")).to_have_text(
            ["First", "Message 2", "Message 3"]
        )
        expect(page.get_by_role("link", name="Show earlier messages")).to_have_count(0)
        page.get_by_role("link", name="Back to the conversation").first.click()
        expect(bodies(page)).to_have_text(["Message 5", "Message 6", "Live"])
    staff.locator("#reply-body").fill("Still here")
    staff.locator("#reply-body").press("Enter")
    expect(bodies(visitor)).to_have_text(["Message 5", "Message 6", "Live", "Still here"])

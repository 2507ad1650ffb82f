"""In real browsers: markup in a live chat shows as text on both sides (no element is made
from it), and a counsellor flags an abusive chat and blocks its return code, after which
the code only says the conversation is closed."""

import pytest
from playwright.sync_api import expect

from huoli.conversations.models import Conversation
from huoli.tests.browser.test_chat import visitor_starts_chat
from huoli.tests.browser.test_records import chat_taken

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MARKUP = '<img src=x onerror="window.pwned=1"><b>bold</b>'


def test_markup_is_text_live_and_an_abusive_chat_is_flagged_and_its_code_blocked(
    demo_staff, asgi_server, browser
):
    url = asgi_server.url
    staff, visitor = chat_taken(browser, url)
    code = visitor.get_by_label("Your return code").inner_text()
    visitor.get_by_label("Message").fill(MARKUP)
    visitor.get_by_label("Message").press("Enter")
    expect(staff.locator(".messages .body").filter(has_text=MARKUP)).to_be_visible()
    staff.get_by_label("Message").fill("<i>reply</i>")
    staff.get_by_label("Message").press("Enter")
    expect(visitor.locator(".messages .body").filter(has_text="<i>reply</i>")).to_be_visible()
    for page in (staff, visitor):
        assert page.locator(".messages img, .messages b, .messages i").count() == 0
        assert page.evaluate("window.pwned") is None

    staff.get_by_text("Flag as abusive", exact=True).click()
    staff.get_by_label("Reason").select_option(label="Threats against staff")
    staff.get_by_label("Block its return code and end the conversation").check()
    staff.get_by_role("button", name="Flag", exact=True).click()
    expect(staff.get_by_text("Its return code no longer works.")).to_be_visible()
    expect(staff.get_by_text("Flagged as abusive (Threats against staff)")).to_be_visible()
    conversation = Conversation.objects.get()
    assert conversation.status == "ended" and conversation.code_blocked_at is not None

    # The visitor's page follows the end (signed out); the code opens nothing any more.
    expect(
        visitor.get_by_role("heading", name="No conversation is open on this device")
    ).to_be_visible()
    other = browser.new_context(locale="en-GB").new_page()
    other.goto(f"{url}/return/")
    other.get_by_label("Return code").fill(code)
    other.get_by_role("button", name="Open").click()
    expect(other.get_by_text("This conversation is closed.")).to_be_visible()
    # Starting anew still works for anyone.
    visitor_starts_chat(browser.new_context(locale="en-GB").new_page(), url)

"""Ending a chat asks first, on both sides, and the control is away from "Send"."""

import re

import pytest
from playwright.sync_api import expect

from huoli.tests.browser.test_records import chat_taken

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def above_the_conversation(page, control) -> None:
    """The control sits above the messages, not just under the "Send" button."""
    top = control.bounding_box()["y"]
    assert top < page.locator("[data-messages]").bounding_box()["y"]
    send = page.get_by_role("button", name="Send", exact=True).bounding_box()
    assert top < send["y"]


def test_ending_a_chat_asks_first_on_both_sides(demo_staff, asgi_server, browser):
    staff, visitor = chat_taken(browser, asgi_server.url)

    # The counsellor's "End chat" only asks; the chat goes on until they confirm.
    end = staff.get_by_text("End chat", exact=True)
    above_the_conversation(staff, end)
    confirm = staff.get_by_role("button", name="Yes, end the chat")
    expect(confirm).to_be_hidden()
    end.click()
    expect(staff.get_by_text("End this chat now?")).to_be_visible()
    expect(confirm).to_be_visible()
    end.click()  # changed their mind
    expect(confirm).to_be_hidden()
    staff.get_by_label("Message").fill("Still here")
    staff.get_by_label("Message").press("Enter")
    expect(visitor.get_by_text("Still here", exact=True)).to_be_visible()
    expect(visitor.get_by_text("You are talking with Aino.")).to_be_visible()

    # So does the visitor's.
    end = visitor.get_by_text("End chat", exact=True)
    above_the_conversation(visitor, end)
    confirm = visitor.get_by_role("button", name="Yes, end the chat")
    expect(confirm).to_be_hidden()
    end.click()
    expect(visitor.get_by_text("Do you want to end the chat?")).to_be_visible()
    visitor.get_by_label("Message").fill("One more thing")
    visitor.get_by_label("Message").press("Enter")
    expect(staff.get_by_text("One more thing", exact=True)).to_be_visible()
    expect(visitor.get_by_text("Was this conversation helpful?")).to_have_count(0)
    confirm.click()
    expect(visitor.get_by_text("Was this conversation helpful?")).to_be_visible()
    expect(staff.get_by_text("End chat", exact=True)).to_have_count(0)
    expect(staff.get_by_text(re.compile(r"Status: (Ended|Closed)"))).to_be_visible()


def test_when_the_visitor_ends_the_counsellor_is_told_and_offered_the_record_at_once(
    demo_staff, asgi_server, browser
):
    """Issue 21: the counsellor's page says live that the visitor ended the chat and offers
    the record (focused), which starts filled in from the conversation."""
    staff, visitor = chat_taken(browser, asgi_server.url)
    staff.get_by_label("Message").fill("Take your time.")
    staff.get_by_label("Message").press("Enter")
    expect(visitor.get_by_text("Take your time.", exact=True)).to_be_visible()
    offer = staff.get_by_role("link", name="Complete the record")
    expect(offer).to_be_hidden()

    visitor.get_by_text("End chat", exact=True).click()
    visitor.get_by_role("button", name="Yes, end the chat").click()

    expect(staff.get_by_text("The visitor ended the chat.")).to_be_visible()
    expect(offer).to_be_visible()
    expect(offer).to_be_focused()
    expect(staff.get_by_text(re.compile(r"Status: Ended"))).to_be_visible()
    expect(staff.get_by_label("Message")).to_have_count(0)  # nothing more to send
    expect(staff.get_by_text("Take your time.", exact=True)).to_be_visible()  # no reload lost it

    staff.keyboard.press("Enter")
    expect(staff.get_by_role("heading", name="Contact record: Chat")).to_be_visible()
    expect(staff.get_by_label("Gave a return code or case number for coming back")).to_be_checked()
    # After a reload the page still says it ended and offers the record.
    staff.go_back()
    staff.reload()
    expect(staff.get_by_text("The chat has ended.")).to_be_visible()
    expect(staff.get_by_role("link", name="Complete the record")).to_be_visible()

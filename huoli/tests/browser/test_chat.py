"""A whole chat in two browsers, through a server restart, and the return with the code."""

import re

import pytest
from playwright.sync_api import expect

from huoli.tests.asgi_process import AsgiProcess

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def server_process(demo_staff):
    """A real restart: the server runs in its own process, with its own channel layer."""
    server = AsgiProcess(HUOLI_DEMO="1", HUOLI_PROFILE="development", HUOLI_DEBUG="0")
    server.start()
    yield server
    server.stop()


def bodies(page):
    return page.locator("[data-messages] .message .body")


def exchange(visitor, staff, numbers, expected: list[str]) -> None:
    """One message each way per number; both screens must show everything, in order."""
    for i in numbers:
        for page, other, who in ((visitor, staff, "visitor"), (staff, visitor, "counsellor")):
            page.get_by_label("Message").fill(f"{who} {i}")
            page.get_by_label("Message").press("Enter")
            expected.append(f"{who} {i}")
            expect(bodies(other)).to_have_text(expected)


def log_in(page, url: str, username: str = "counsellor") -> None:
    """A demo account (no second factor in demo mode) to its console home."""
    page.goto(f"{url}/console/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("demo-password")
    page.get_by_role("button", name="Log in", exact=True).click()
    expect(page.get_by_role("heading", name=re.compile("Hello"))).to_be_visible()


def counsellor_on_duty(page, url: str) -> None:
    log_in(page, url)
    page.get_by_role("button", name="Go on duty").click()
    # The duty is stored once the page shows the way off it: "Live updates are on." may
    # show before the form's answer, and a visitor's page loaded then finds chats closed.
    expect(page.get_by_role("button", name="Go off duty")).to_be_visible()
    expect(page.get_by_text("Live updates are on.")).to_be_visible()


def visitor_starts_chat(page, url: str) -> str:
    """Starts a chat as "Mother"; returns the return code shown."""
    page.goto(f"{url}/")
    expect(page.get_by_role("link", name="Quick exit")).to_be_visible()
    page.get_by_label("Nickname (optional)").fill("Mother")
    page.get_by_role("button", name="Start chat").click()
    code = page.get_by_label("Your return code").inner_text()
    assert re.fullmatch(r"\d{4} \d{4} \d{4} \d{4}", code)
    expect(page.get_by_text("You are number 1 in the queue")).to_be_visible()
    return code


def counsellor_takes_chat(staff, visitor) -> None:
    # The queue updates in the console without a reload.
    staff.get_by_role("button", name="Take chat").click()
    expect(staff.get_by_role("heading", name=re.compile("Chat \\d+ · Mother"))).to_be_visible()
    expect(visitor.get_by_text("You are talking with Aino.")).to_be_visible()
    # The page's script is running and its socket watches the chat: before that, Enter in the
    # message box would only add a line.
    expect(staff.locator('[data-console-chat][data-live="watching"]')).to_have_count(1)


def test_chat_survives_a_restart_and_the_visitor_returns_with_the_code(
    server_process, browser, csp_violations
):
    url = server_process.url
    staff = csp_violations(browser.new_context(locale="en-GB").new_page())
    counsellor_on_duty(staff, url)
    visitor_context = browser.new_context(locale="en-GB")
    visitor = csp_violations(visitor_context.new_page())
    code = visitor_starts_chat(visitor, url)
    counsellor_takes_chat(staff, visitor)

    expected = []
    exchange(visitor, staff, range(1, 6), expected)

    # The server goes away; what the visitor writes meanwhile is sent after reconnecting.
    server_process.stop()
    expect(visitor.get_by_text("Connection lost. Reconnecting…")).to_be_visible()
    visitor.get_by_label("Message").fill("written while offline")
    visitor.get_by_label("Message").press("Enter")
    expect(visitor.get_by_text("Sending…")).to_be_visible()
    server_process.start()
    expected.append("written while offline")
    expect(bodies(staff)).to_have_text(expected, timeout=20_000)
    expect(bodies(visitor)).to_have_text(expected, timeout=20_000)
    expect(visitor.get_by_text("Sending…")).to_have_count(0)

    exchange(visitor, staff, range(6, 11), expected)

    visitor.get_by_text("End chat", exact=True).click()
    visitor.get_by_role("button", name="Yes, end the chat").click()
    expect(visitor.get_by_text("Was this conversation helpful?")).to_be_visible()
    visitor.get_by_label("Partly").check()
    visitor.get_by_role("button", name="Answer").click()
    expect(visitor.get_by_text("Thank you for your answer.")).to_be_visible()
    visitor_context.close()

    # Later, on another device: the code opens the whole conversation.
    later = csp_violations(browser.new_context(locale="en-GB").new_page())
    later.goto(f"{url}/return/")
    later.get_by_label("Return code").fill(code)
    later.get_by_role("button", name="Open").click()
    expect(bodies(later)).to_have_text(expected)
    later.get_by_label("Message").fill("One more question")
    later.get_by_role("button", name="Send", exact=True).click()
    expect(bodies(later).last).to_have_text("One more question")
    assert csp_violations.found == []

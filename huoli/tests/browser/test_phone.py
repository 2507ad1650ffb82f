"""The softphone in a real browser, without a SIP server: the console says calls are off,
and the chat page never loads the SIP library (its 100 KB budget). Calls end to end, with
Kamailio and rtpengine, are in the telephony tests."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from huoli.tests.browser.test_chat import counsellor_on_duty, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIP_LIBRARY = ("jssip", "/static/shared/phone.js")


def loaded(page) -> list[str]:
    urls: list[str] = []
    page.on("request", lambda request: urls.append(request.url))
    return urls


# Data fixtures come before `browser`: services must not run beside Playwright's event loop.
def test_the_console_says_calls_are_off_and_loads_no_sip_library(
    demo_staff, settings, browser, live_server_url, csp_violations
):
    settings.HUOLI_TELEPHONY = False
    page = csp_violations(browser.new_context(locale="en-GB").new_page())
    urls = loaded(page)
    counsellor_on_duty(page, live_server_url)
    phone = page.get_by_role("region", name="Phone")
    expect(phone.get_by_role("status")).to_have_text(
        "Calls are off: this installation has no telephone."
    )
    expect(phone).to_have_attribute("data-state", "idle")
    expect(phone).to_have_attribute("data-enabled", "false")
    for name in ("Answer", "Decline", "Hang up", "Mute", "Hold"):
        expect(page.get_by_role("button", name=name, exact=True)).to_have_count(0)
    assert [url for url in urls if any(part in url for part in SIP_LIBRARY)] == []
    assert csp_violations.found == []


def test_the_chat_page_does_not_load_the_sip_library(demo_staff, browser, live_server_url):
    counsellor_on_duty(browser.new_context(locale="en-GB").new_page(), live_server_url)
    visitor = browser.new_context(locale="en-GB").new_page()
    urls = loaded(visitor)
    visitor.goto(f"{live_server_url}/en/")
    visitor.get_by_role("button", name="Start chat").click()
    expect(visitor.get_by_label("Your return code")).to_be_visible()
    visitor.reload(wait_until="networkidle")
    assert any("/static/shared/socket.js" in url for url in urls)
    assert [url for url in urls if any(part in url for part in SIP_LIBRARY)] == []


def test_the_call_page_without_a_microphone_offers_the_chat(
    demo_staff, browser, live_server_url, csp_violations, settings
):
    """No microphone permission (a headless browser refuses the prompt): a clear text and
    the way to the chat, and the focus back on "Call"."""
    from huoli.calls.tests.factories import call_taker_on_duty

    settings.HUOLI_TELEPHONY = True
    call_taker_on_duty()  # calls are open: someone on duty takes them, their phone registered
    page = csp_violations(browser.new_context(locale="en-GB").new_page())
    page.goto(f"{live_server_url}/en/call/")
    expect(page.get_by_role("heading", name="Call us")).to_be_visible()
    page.get_by_role("button", name="Call", exact=True).press("Enter")
    expect(page.locator("[data-call]")).to_have_attribute("data-state", "error")
    # Console pages also hold the (empty) alerts region of their notices: the one saying so.
    expect(page.get_by_role("alert").filter(has_text="microphone")).to_be_visible()
    expect(page.get_by_role("link", name="Start a chat instead")).to_be_visible()
    expect(page.get_by_role("button", name="Call", exact=True)).to_be_focused()
    assert csp_violations.found == []


def test_an_analyst_has_no_phone(demo_staff, browser, live_server_url):
    page = browser.new_context(locale="en-GB").new_page()
    log_in(page, live_server_url, "analyst")
    expect(page.get_by_role("region", name="Phone")).to_have_count(0)

"""The quick exit (promise 1): the tab goes to the neutral site the administrators chose,
the page it left is gone from the tab's history, and the site learns nothing from us. The
destination is intercepted by Playwright: nothing goes to the internet (docs/design.md)."""

import pytest
from playwright.sync_api import expect

from huoli.helpline.models import QUICK_EXIT_DEFAULT, QuickExit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEUTRAL = "<!doctype html><title>Weather</title><h1>Weather</h1>"


def neutral_site(context, pattern: str) -> list[dict]:
    """Answers every request to ``pattern`` with a small page; returns the requests' headers."""
    seen: list[dict] = []

    def answer(route):
        seen.append(route.request.headers)
        route.fulfill(status=200, content_type="text/html", body=NEUTRAL)

    context.route(pattern, answer)
    return seen


def quick_exit(page):
    return page.locator("[data-quick-exit]")


def test_quick_exit_replaces_the_page_with_the_chosen_site(
    live_server_url, browser, csp_violations
):
    context = browser.new_context(locale="en-GB")
    seen = neutral_site(context, f"{QUICK_EXIT_DEFAULT}**")
    page = csp_violations(context.new_page())
    page.goto(f"{live_server_url}/en/")
    assert not seen, "nothing is loaded from the destination before the exit"
    page.goto(f"{live_server_url}/en/message/")
    length = page.evaluate("history.length")

    quick_exit(page).click()
    expect(page).to_have_url(QUICK_EXIT_DEFAULT)
    expect(page.get_by_role("heading", name="Weather")).to_be_visible()
    assert len(seen) == 1 and "referer" not in seen[0]
    # Chromium replaces the page's own history entry: no new entry, and Back goes to the
    # page before it (an earlier page of ours stays there: the safety page says so).
    assert page.evaluate("history.length") == length
    page.go_back()
    expect(page).to_have_url(f"{live_server_url}/en/")
    assert csp_violations.found == []


def test_quick_exit_from_the_keyboard_goes_where_the_administrators_chose(live_server_url, browser):
    row = QuickExit.saved()
    row.destination = "https://weather.example/today"
    row.save()
    context = browser.new_context(locale="en-GB")
    seen = neutral_site(context, "https://weather.example/**")
    page = context.new_page()
    page.goto(f"{live_server_url}/en/return/")
    length = page.evaluate("history.length")
    page.keyboard.press("Tab")  # the skip link
    page.keyboard.press("Tab")  # the brand
    page.keyboard.press("Tab")
    expect(quick_exit(page)).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url("https://weather.example/today")
    assert len(seen) == 1
    # The helpline page's entry was replaced: Back leaves the tab's first, empty page.
    assert page.evaluate("history.length") == length
    page.go_back()
    expect(page).to_have_url("about:blank")

    # Escape three times does the same.
    page.goto(f"{live_server_url}/en/return/")
    for _ in range(3):
        page.keyboard.press("Escape")
    expect(page).to_have_url("https://weather.example/today")


def test_quick_exit_without_javascript_is_a_plain_link(live_server_url, browser):
    context = browser.new_context(locale="en-GB", java_script_enabled=False)
    seen = neutral_site(context, f"{QUICK_EXIT_DEFAULT}**")
    page = context.new_page()
    page.goto(f"{live_server_url}/en/")
    quick_exit(page).click()
    expect(page).to_have_url(QUICK_EXIT_DEFAULT)
    assert len(seen) == 1 and "referer" not in seen[0]
    # Without a script the browser adds an entry: Back returns to our page.
    page.go_back()
    expect(page).to_have_url(f"{live_server_url}/en/")

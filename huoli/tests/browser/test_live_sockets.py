"""The three live pages share one socket client (decision 0030): the visitor's chat, the
console's conversation page and the console's live panel load ``/static/shared/socket.js``
and nothing from the other side's static tree; each one comes back after the server drops
its socket, and catches up on what happened meanwhile."""

import re
import threading

import pytest
from playwright.sync_api import expect

from huoli.conversations.tests.factories import chat_start
from huoli.tests.asgi_process import AsgiProcess
from huoli.tests.browser.test_chat import (
    bodies,
    counsellor_on_duty,
    counsellor_takes_chat,
    visitor_starts_chat,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHARED = "/static/shared/socket.js"


@pytest.fixture
def restartable(demo_staff):
    """A server in its own process: stopping it drops every socket for real."""
    server = AsgiProcess(HUOLI_DEMO="1", HUOLI_PROFILE="development", HUOLI_DEBUG="0")
    server.start()
    yield server
    server.stop()


def loaded(page, *, waiting_for: str = "") -> set[str]:
    """The paths of the page and of everything it loaded (from the browser's memory cache too);
    with ``waiting_for``, once that path has loaded (a module imported by a module comes a
    moment after the page: read too early, the list lacks it)."""
    if waiting_for:
        page.wait_for_function(
            """(path) => performance.getEntriesByType('resource')
                .some((entry) => new URL(entry.name).pathname === path)""",
            arg=waiting_for,
            timeout=15_000,
        )
    return set(
        page.evaluate(
            """() => [location.pathname, ...performance.getEntriesByType('resource')
                .map((entry) => new URL(entry.name).pathname)]"""
        )
    )


def statics(paths: set[str]) -> set[str]:
    return {path.split("/")[2] for path in paths if path.startswith("/static/")}


def in_a_thread(work) -> None:
    """Services publish through async_to_sync; Playwright's event loop runs in this thread."""
    worker = threading.Thread(target=work)
    worker.start()
    worker.join()


def test_the_three_live_pages_load_the_one_shared_socket_client(
    demo_staff, asgi_server, browser, csp_violations
):
    url = asgi_server.url
    staff = csp_violations(browser.new_context(locale="en-GB").new_page())
    counsellor_on_duty(staff, url)
    home = loaded(staff, waiting_for=SHARED)
    visitor = csp_violations(browser.new_context(locale="en-GB").new_page())
    visitor_starts_chat(visitor, url)
    expect(visitor.locator("[data-chat].live")).to_be_visible()
    chat = loaded(visitor, waiting_for=SHARED)
    counsellor_takes_chat(staff, visitor)
    conversation = loaded(staff, waiting_for=SHARED)

    assert "/console/" in home and SHARED in home, home
    assert re.search(r"/conversation/$", visitor.url) and SHARED in chat, chat
    assert "/console/static/" not in str(chat)
    assert re.search(r"/console/conversations/\d+/$", staff.url), staff.url
    assert SHARED in conversation, conversation
    assert statics(chat) == {"public", "shared"}
    assert statics(home) == statics(conversation) == {"console", "shared"}
    # And they work: one message each way.
    visitor.get_by_label("Message").fill("from the visitor")
    visitor.get_by_label("Message").press("Enter")
    expect(bodies(staff)).to_have_text(["from the visitor"])
    staff.get_by_label("Message").fill("from the counsellor")
    staff.get_by_label("Message").press("Enter")
    expect(bodies(visitor)).to_have_text(["from the visitor", "from the counsellor"])
    expect(visitor.get_by_text("Sending…")).to_have_count(0)
    expect(staff.get_by_text("Sending…")).to_have_count(0)
    assert csp_violations.found == []


def test_the_console_live_panel_catches_up_after_the_server_drops_its_socket(
    restartable, browser, csp_violations
):
    url = restartable.url
    staff = csp_violations(browser.new_context(locale="en-GB").new_page())
    counsellor_on_duty(staff, url)
    expect(staff.get_by_role("button", name="Take chat")).to_have_count(0)

    restartable.stop()
    expect(staff.get_by_text("Live updates are off. Reconnecting…")).to_be_visible()
    # A chat starts while the console is away: its event reaches no open socket.
    in_a_thread(lambda: chat_start(language="en", nickname="Father"))
    restartable.start()
    expect(staff.get_by_text("Live updates are on.")).to_be_visible(timeout=20_000)
    expect(staff.get_by_role("button", name="Take chat")).to_be_visible()
    assert csp_violations.found == []


def test_the_console_sends_what_it_wrote_while_the_server_was_away(
    restartable, browser, csp_violations
):
    url = restartable.url
    staff = csp_violations(browser.new_context(locale="en-GB").new_page())
    counsellor_on_duty(staff, url)
    visitor = csp_violations(browser.new_context(locale="en-GB").new_page())
    visitor_starts_chat(visitor, url)
    counsellor_takes_chat(staff, visitor)

    restartable.stop()
    expect(visitor.get_by_text("Connection lost. Reconnecting…")).to_be_visible()
    staff.get_by_label("Message").fill("written by the counsellor while away")
    staff.get_by_label("Message").press("Enter")
    expect(staff.get_by_text("Sending…")).to_be_visible()
    restartable.start()
    expected = ["written by the counsellor while away"]
    expect(bodies(visitor)).to_have_text(expected, timeout=20_000)
    expect(bodies(staff)).to_have_text(expected, timeout=20_000)
    expect(staff.get_by_text("Sending…")).to_have_count(0)
    assert csp_violations.found == []

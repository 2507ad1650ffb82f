"""No console page scrolls sideways on a laptop's screen, with a queue of long nicknames."""

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from huoli.contacts.models import ContactRecord
from huoli.conversations.models import Conversation
from huoli.conversations.tests.factories import ConversationFactory, chat_taken
from huoli.tests.browser.test_chat import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

UNBROKEN = "Huolestunut_isä_Vantaalta_15v_poika_x_" + "y" * 2  # 40 characters, no space
SPACED = "Mother of a fifteen year old from Espoo"


@pytest.fixture
def busy_line(demo_staff):
    """The demo counsellor in a chat; chats and a message with long nicknames wait."""
    counsellor = get_user_model().objects.get(username="counsellor")
    mine = chat_taken(counsellor=counsellor, nickname=UNBROKEN, messages=[("visitor", "Hei")])
    ConversationFactory(nickname=UNBROKEN, language="ar", interpreter_needed=True)
    ConversationFactory(nickname=SPACED, language="fi")
    ConversationFactory(kind=Conversation.Kind.MESSAGE, nickname=UNBROKEN, language="en")
    record = ContactRecord.objects.get(conversation=mine.conversation)
    return mine.conversation, record


def scrolls_sideways(page) -> bool:
    return page.evaluate(
        "document.documentElement.scrollWidth > document.documentElement.clientWidth"
    )


@pytest.mark.parametrize("width", [1280, 1024])
def test_no_console_page_scrolls_sideways(busy_line, asgi_server, browser, width):
    url = asgi_server.url
    conversation, record = busy_line
    pages = {
        "counsellor": [
            "/console/", f"/console/conversations/{conversation.pk}/",
            f"/console/records/{record.pk}/", "/console/calls/new/", "/console/cases/",
            "/console/directory/", "/console/profile/",
        ],
        "supervisor": [
            "/console/", f"/console/conversations/{conversation.pk}/", "/console/reports/",
            "/console/reviews/",
        ],
        "admin": ["/console/", "/console/audit/", "/console/directory/import/"],
        "analyst": ["/console/", "/console/reports/"],
    }  # fmt: skip
    wide = []
    for username, paths in pages.items():
        context = browser.new_context(locale="en-GB", viewport={"width": width, "height": 800})
        page = context.new_page()
        log_in(page, url, username)
        for path in paths:
            page.goto(f"{url}{path}")
            page.wait_for_load_state("networkidle")
            if scrolls_sideways(page):
                wide.append((username, path))
        if username in ("counsellor", "supervisor"):
            page.goto(f"{url}/console/")
            take = page.get_by_role("button", name="Take chat").first
            box, queue = take.bounding_box(), page.locator(".queue").bounding_box()
            if box["x"] + box["width"] > queue["x"] + queue["width"]:
                wide.append((username, "Take chat outside the queue's card"))
        context.close()
    assert not wide, wide


@pytest.mark.parametrize("width", [1280, 1024, 800])
def test_the_service_directory_sits_beside_the_conversation_on_a_wide_screen(
    busy_line, asgi_server, browser, width
):
    """Issue 21: the directory sat folded at the bottom, below "End chat". Beside the
    conversation on a laptop, below it on a narrow screen; open either way."""
    conversation, _record = busy_line
    context = browser.new_context(locale="en-GB", viewport={"width": width, "height": 800})
    page = context.new_page()
    log_in(page, asgi_server.url, "counsellor")
    page.goto(f"{asgi_server.url}/console/conversations/{conversation.pk}/")
    search = page.get_by_label("Search services")
    expect(search).to_be_visible()  # not folded away
    chat = page.locator("[data-messages]").bounding_box()
    send = page.get_by_role("button", name="Send", exact=True).bounding_box()
    panel = page.locator(".directory-panel").bounding_box()
    if width >= 1024:
        assert panel["x"] >= chat["x"] + chat["width"]  # beside, after the conversation
        assert panel["y"] < send["y"] + send["height"]  # not below it
        assert panel["width"] > 250
    else:
        assert panel["y"] >= send["y"] + send["height"]  # below the conversation
    assert not scrolls_sideways(page)
    # A search fills the column without widening the page.
    search.press_sequentially("perheneuv", delay=30)
    expect(page.locator(".service-card")).to_have_count(1)
    assert not scrolls_sideways(page)
    context.close()


def test_on_a_phone_the_console_pages_fit_and_the_queue_can_be_taken(
    busy_line, asgi_server, browser
):
    """Issue 21: the console home with a queue and the record after a chat look right at
    390 px too: nothing widens the page (a table's hidden header text, a long select), and
    the queue's rows stack so "Take chat" is on the screen."""
    url = asgi_server.url
    conversation, record = busy_line
    context = browser.new_context(locale="en-GB", viewport={"width": 390, "height": 844})
    page = context.new_page()
    log_in(page, url, "counsellor")
    wide = []
    for path in (
        "/console/", f"/console/conversations/{conversation.pk}/",
        f"/console/records/{record.pk}/", "/console/cases/", "/console/calls/new/",
        "/console/conversations/",
    ):  # fmt: skip
        page.goto(f"{url}{path}")
        page.wait_for_load_state("networkidle")
        if scrolls_sideways(page):
            wide.append(path)
    page.goto(f"{url}/console/")
    take = page.get_by_role("button", name="Take chat").first
    expect(take).to_be_visible()
    box = take.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390, box
    expect(page.locator('.queue td[data-label="Waiting time"]').first).to_be_visible()
    context.close()
    assert not wide, wide

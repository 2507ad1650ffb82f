"""A supervisor finds a past conversation under "Conversations" with the keyboard: filters
by language, the filters stay in the address, opening it is audited and what was written is
shown only there (issue 18, point 3)."""

import re

import pytest
from playwright.sync_api import expect

from huoli.accounts.models import User
from huoli.conversations.services.queue import conversation_end
from huoli.conversations.tests.factories import chat_taken
from huoli.core.models import AuditEntry
from huoli.tests.browser.test_chat import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SECRET = "ابني تغير كثيرا هذا العام."


@pytest.fixture
def two_chats(demo_staff):
    """An ended Arabic chat and an active Finnish one answered by the demo counsellor Aino
    (made before the browser starts: no event loop in this thread)."""
    aino = User.objects.get(username="counsellor")
    arabic = chat_taken(counsellor=aino, language="ar", messages=[("visitor", SECRET)])
    conversation_end(conversation=arabic.conversation, ended_by="counsellor", by=aino)
    finnish = chat_taken(counsellor=aino, language="fi", messages=[("visitor", "Hei")])
    return arabic, finnish


def test_a_supervisor_finds_and_opens_an_arabic_chat_by_keyboard(
    two_chats, asgi_server, browser, csp_violations
):
    arabic, finnish = two_chats

    page = csp_violations(browser.new_context(locale="en-GB").new_page())
    log_in(page, asgi_server.url, "supervisor")
    menu_link = page.get_by_role("navigation", name="Console").get_by_role(
        "link", name="Conversations"
    )
    menu_link.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Conversations", level=1)).to_be_visible()
    table = page.get_by_role("table")
    expect(table.locator("tbody tr")).to_have_count(2)
    expect(page.get_by_text(SECRET)).to_have_count(0)

    filters = page.get_by_role("search", name="Filter conversations")
    filters.get_by_label("Language").select_option("ar")
    filters.get_by_label("Case number").focus()
    page.keyboard.press("Enter")  # submits the filter form
    expect(page).to_have_url(re.compile(r"language=ar"))
    expect(table.locator("tbody tr")).to_have_count(1)
    row = table.locator("tbody tr")
    expect(row).to_contain_text("Arabic")
    expect(row).to_contain_text("Ended")
    expect(filters.get_by_label("Language")).to_have_value("ar")
    expect(page.get_by_role("link", name=f"Chat {finnish.conversation.pk}")).to_have_count(0)
    assert not AuditEntry.objects.filter(action="conversation.read").exists()

    link = row.get_by_role("link", name=f"Chat {arabic.conversation.pk}")
    link.focus()
    page.keyboard.press("Enter")
    expect(page.locator("[data-messages] .body")).to_have_text([SECRET])
    assert list(
        AuditEntry.objects.filter(action="conversation.read").values_list("object_id", flat=True)
    ) == [str(arabic.conversation.pk)]
    assert csp_violations.found == []

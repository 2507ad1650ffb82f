"""A partner's link in a real browser (issue 19, point 4): ``/fi/?c=koulu``, through the
language switcher to the chat form; the chat that starts counts one for koulu, and the code
was never in a cookie or the browser's storage."""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_chat_from_a_partners_link_counts_once_and_leaves_no_trace(
    asgi_server, browser, csp_violations
):
    from django.conf import settings

    from huoli.conversations.models import Conversation
    from huoli.conversations.tests.factories import open_line_with_counsellor
    from huoli.outreach.models import Campaign, CampaignCount

    Campaign.objects.create(code="koulu", name="Schools in Helsinki")
    open_line_with_counsellor()
    url = asgi_server.url
    context = browser.new_context(locale="fi-FI")
    page = csp_violations(context.new_page())

    page.goto(f"{url}/fi/?c=koulu")
    expect(page.get_by_role("button", name="Aloita chat")).to_be_visible()
    assert context.cookies() == []
    # The visitor reads the page in English: the switcher keeps the code.
    page.get_by_role("link", name="English").click()
    expect(page).to_have_url(f"{url}/en/?c=koulu")
    # Looking around starts nothing and counts nothing.
    assert not CampaignCount.objects.exists()

    page.get_by_label("Nickname (optional)").fill("Mother")
    page.get_by_role("button", name="Start chat").click()
    expect(page.get_by_label("Your return code")).to_be_visible()
    assert page.url == f"{url}/en/conversation/"

    assert Conversation.objects.count() == 1
    assert list(CampaignCount.objects.values_list("campaign__code", "count")) == [("koulu", 1)]
    # The only cookie is the conversation's own, and it holds no code; nothing is stored.
    cookies = context.cookies()
    assert [c["name"] for c in cookies] == [settings.HUOLI_VISITOR_COOKIE]
    assert "koulu" not in cookies[0]["value"]
    assert page.evaluate("localStorage.length + sessionStorage.length") == 0

    # Back on the home page without the code, a second visitor's chat counts nothing more.
    other = csp_violations(browser.new_context(locale="en-GB").new_page())
    other.goto(f"{url}/en/")
    other.get_by_role("button", name="Start chat").click()
    expect(other.get_by_label("Your return code")).to_be_visible()
    assert Conversation.objects.count() == 2
    assert CampaignCount.objects.get().count == 1
    assert csp_violations.found == []

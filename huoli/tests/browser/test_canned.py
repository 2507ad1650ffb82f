"""A canned response inserted in the visitor's language: the counsellor sees which languages
each response has, the visitor's (Arabic) first, inserts it with the keyboard and sends it;
the visitor reads it (issue 18, point 7)."""

import re

import pytest
from playwright.sync_api import expect

from huoli.accounts.models import CounsellorProfile, User
from huoli.accounts.services import counsellor_profile_save
from huoli.demo.dialogues import CANNED_RESPONSES
from huoli.tests.browser.test_chat import bodies, counsellor_on_duty

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

GREETING = next(texts for title, texts in CANNED_RESPONSES if title.endswith("Greeting"))


@pytest.fixture
def aino_speaks_arabic(demo_staff):
    """The demo counsellor speaks Arabic too (saved before the browser starts: no event loop
    in this thread), so an Arabic visitor's chat is offered to her."""
    aino = User.objects.get(username="counsellor")
    profile = CounsellorProfile.objects.get(user=aino)
    counsellor_profile_save(
        user=aino, display_name=profile.display_name, languages=["fi", "en", "ar"], max_chats=3
    )


def test_a_canned_response_in_arabic_reaches_an_arabic_visitor(
    aino_speaks_arabic, asgi_server, browser, csp_violations
):
    url = asgi_server.url
    staff = csp_violations(browser.new_context(locale="en-GB").new_page())
    counsellor_on_duty(staff, url)

    visitor = csp_violations(browser.new_context(locale="ar").new_page())
    visitor.goto(f"{url}/ar/")
    visitor.locator("[name=nickname]").fill("Mother")
    visitor.locator("form:has(select[name=language]) button[type=submit]").click()
    expect(visitor.locator("[data-chat]")).to_be_visible()

    staff.get_by_role("button", name="Take chat").click()
    expect(staff.get_by_role("heading", name=re.compile("Chat \\d+ · Mother"))).to_be_visible()
    expect(staff.locator('[data-console-chat][data-live="watching"]')).to_have_count(1)
    expect(staff.get_by_text("The visitor's language: Arabic.")).to_be_hidden()
    staff.get_by_text("Canned responses", exact=True).click()
    expect(staff.get_by_text("The visitor's language: Arabic.")).to_be_visible()

    greeting = staff.locator("[data-canned-response]").filter(has_text="Greeting")
    # Its languages, Arabic first; a response without Arabic is marked.
    expect(greeting.locator(".canned-language")).to_have_text(["ar", "en", "fi", "sv"])
    expect(greeting.get_by_text("Not in Arabic")).to_have_count(0)
    take_your_time = staff.locator("[data-canned-response]").filter(has_text="Take your time")
    expect(take_your_time.get_by_text("Not in Arabic")).to_be_visible()

    # The English text first, by keyboard, then the title puts the Arabic one instead.
    box = staff.get_by_label("Message")
    english = greeting.get_by_role("button", name="Tervehdys · Greeting in English")
    english.focus()
    english.press("Enter")
    expect(box).to_have_value(GREETING["en"])
    expect(box).to_be_focused()
    box.fill("")
    greeting.get_by_role("button", name="Tervehdys · Greeting", exact=True).focus()
    staff.keyboard.press("Enter")
    expect(box).to_have_value(GREETING["ar"])
    box.press("Enter")

    expect(bodies(staff)).to_have_text([GREETING["ar"]])
    expect(bodies(visitor)).to_have_text([GREETING["ar"]])
    visitor.reload()
    expect(bodies(visitor)).to_have_text([GREETING["ar"]])
    assert csp_violations.found == []

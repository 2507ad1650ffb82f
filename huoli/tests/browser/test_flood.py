"""The flood switch in real browsers: with JavaScript the browser does the proof of work by
itself and the chat starts; without JavaScript the waiting room lets it start after the wait."""

import re
import time

import pytest
from playwright.sync_api import expect

from huoli.conversations.models import Conversation
from huoli.helpline.models import FloodSwitch
from huoli.tests.browser.test_chat import counsellor_on_duty

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_new_chats_pass_the_check_with_and_without_javascript(
    demo_staff, asgi_server, browser, csp_violations
):
    url = asgi_server.url
    counsellor_on_duty(browser.new_context(locale="en-GB").new_page(), url)
    switch = FloodSwitch.current()
    switch.on, switch.bits, switch.wait_seconds = True, 16, 5
    switch.save()

    visitor = csp_violations(browser.new_context(locale="en-GB").new_page())
    visitor.goto(f"{url}/")
    visitor.get_by_label("Nickname (optional)").fill("Mother")
    visitor.get_by_role("button", name="Start chat").click()
    code = visitor.get_by_label("Your return code").inner_text()
    assert re.fullmatch(r"\d{4} \d{4} \d{4} \d{4}", code)
    assert Conversation.objects.get().nickname == "Mother"
    assert csp_violations.found == []

    plain = browser.new_context(locale="en-GB", java_script_enabled=False).new_page()
    plain.goto(f"{url}/")
    plain.get_by_label("Nickname (optional)").fill("Father")
    plain.get_by_role("button", name="Start chat").click()
    expect(plain.get_by_role("heading", name="Please wait a moment")).to_be_visible()
    plain.get_by_role("button", name="Start chat").click()  # too early
    expect(plain.get_by_role("alert")).to_contain_text("more second")
    time.sleep(5.2)
    plain.get_by_role("button", name="Start chat").click()
    expect(plain.get_by_label("Your return code")).to_be_visible()
    assert sorted(c.nickname for c in Conversation.objects.all()) == ["Father", "Mother"]


def test_with_javascript_a_new_message_and_a_busy_return_form_do_the_work_by_themselves(
    demo_staff, asgi_server, browser, csp_violations, settings
):
    url = asgi_server.url
    switch = FloodSwitch.current()
    switch.on, switch.bits = True, 16
    switch.save()
    visitor = csp_violations(browser.new_context(locale="en-GB").new_page())
    visitor.goto(f"{url}/en/message/")
    visitor.get_by_label("Message").fill("Olen huolissani veljestäni")
    visitor.get_by_role("button", name="Send", exact=True).click()
    code = visitor.get_by_label("Your return code").inner_text()
    assert Conversation.objects.get().kind == "message"

    # Many wrong guesses site-wide: the return form asks for the work before checking a code.
    settings.HUOLI_RETURN_CODE_LIMITS = {**settings.HUOLI_RETURN_CODE_LIMITS, "site_attempts": 0}
    later = csp_violations(browser.new_context(locale="en-GB").new_page())
    later.goto(f"{url}/en/return/")
    later.get_by_label("Return code").fill(code)
    later.get_by_role("button", name="Open").click()
    expect(later.get_by_text("Olen huolissani veljestäni")).to_be_visible()
    assert csp_violations.found == []

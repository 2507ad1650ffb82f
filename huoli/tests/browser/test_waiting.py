"""Nobody left waiting (issue 18): a visitor past the waiting limit leaves the chat as a
message that a counsellor answers later; at closing time the waiting chat becomes a message
and the visitor's page says so."""

import datetime as dt
import io
import re
import threading

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from huoli.tests.browser.test_chat import counsellor_on_duty, visitor_starts_chat

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MESSAGE_STATUS = (
    "We answer your messages here. Come back later with your return code to read the answer."
)


def test_a_visitor_past_the_limit_leaves_a_message_and_reads_the_answer_later(
    demo_staff, asgi_server, browser, csp_violations
):
    from huoli.conversations.models import Conversation
    from huoli.helpline.models import WaitingLimit

    url = asgi_server.url
    limit = WaitingLimit.saved()
    limit.chat_minutes = 1
    limit.save()
    staff = csp_violations(browser.new_context(locale="en-GB").new_page())
    counsellor_on_duty(staff, url)
    visitor_context = browser.new_context(locale="en-GB")
    visitor = csp_violations(visitor_context.new_page())
    code = visitor_starts_chat(visitor, url)
    visitor.get_by_label("Message").fill("Is anyone there? My son has changed.")
    visitor.get_by_label("Message").press("Enter")
    expect(visitor.get_by_text("Sending…")).to_have_count(0)

    # Most of the minute has gone by: the page counts the rest down, then offers.
    conversation = Conversation.objects.get(kind="chat")
    Conversation.objects.filter(pk=conversation.pk).update(
        created_at=conversation.created_at - dt.timedelta(seconds=52)
    )
    visitor.reload()
    answer_later = visitor.get_by_role("button", name="Answer me later")
    expect(answer_later).to_be_hidden()
    expect(visitor.get_by_text("Sorry for the wait")).to_be_visible()
    expect(answer_later).to_be_visible()
    expect(visitor.get_by_role("button", name="Keep waiting")).to_be_visible()
    answer_later.click()
    expect(visitor.get_by_role("heading", name="Your messages")).to_be_visible()
    expect(visitor.locator("[data-status]")).to_have_text(MESSAGE_STATUS)
    expect(visitor.get_by_text("Is anyone there? My son has changed.")).to_be_visible()
    expect(visitor.get_by_text("End chat", exact=True)).to_have_count(0)
    visitor_context.close()

    # The console's queue now holds a message to answer, without a reload.
    staff.get_by_role("button", name="Take message").click()
    expect(staff.get_by_role("heading", name=re.compile(r"Message \d+ · Mother"))).to_be_visible()
    expect(staff.get_by_text("Is anyone there? My son has changed.")).to_be_visible()
    staff.get_by_label("Message").fill("Thank you for waiting. Tell me more about your son.")
    staff.get_by_role("button", name="Send", exact=True).click()
    expect(staff.get_by_text("Thank you for waiting. Tell me more about your son.")).to_be_visible()

    # Later, with the code: the answer is there.
    later = csp_violations(browser.new_context(locale="en-GB").new_page())
    later.goto(f"{url}/return/")
    later.get_by_label("Return code").fill(code)
    later.get_by_role("button", name="Open").click()
    expect(later.get_by_text("Thank you for waiting. Tell me more about your son.")).to_be_visible()
    expect(later.get_by_text("Is anyone there? My son has changed.")).to_be_visible()
    assert csp_violations.found == []


def test_at_closing_time_the_waiting_visitors_chat_becomes_a_message(
    demo_staff, asgi_server, browser, csp_violations
):
    from huoli.helpline.models import OpeningException
    from huoli.helpline.selectors import HELSINKI

    url = asgi_server.url
    staff = csp_violations(browser.new_context(locale="en-GB").new_page())
    counsellor_on_duty(staff, url)
    visitor = csp_violations(browser.new_context(locale="en-GB").new_page())
    visitor_starts_chat(visitor, url)
    expect(visitor.get_by_text("Sorry for the wait")).to_be_hidden()

    # The line closes today (an exception for the date), and the minute's sweep runs (in a
    # thread: services publish through async_to_sync, and Playwright's loop runs in this one).
    today = dt.datetime.now(HELSINKI).date()
    OpeningException.objects.update_or_create(date=today, defaults={"closed": True})
    out = io.StringIO()
    sweep = threading.Thread(target=lambda: call_command("queue_sweep", stdout=out))
    sweep.start()
    sweep.join()
    assert out.getvalue() == "waiting_chats_to_messages: 1\n"
    expect(
        visitor.get_by_text(
            f"The chat has closed for now, so your chat is now a message. {MESSAGE_STATUS}"
        )
    ).to_be_visible()
    expect(visitor.get_by_text("End chat", exact=True)).to_have_count(0)
    # The page reloaded later says the same, and the visitor can still write.
    visitor.reload()
    expect(visitor.get_by_role("heading", name="Your messages")).to_be_visible()
    visitor.get_by_label("Message").fill("I will come back tomorrow.")
    visitor.get_by_role("button", name="Send", exact=True).click()
    expect(visitor.get_by_text("I will come back tomorrow.")).to_be_visible()
    assert csp_violations.found == []


def test_a_chat_taken_before_the_limit_never_offers_to_wait_or_leave_a_message(
    demo_staff, asgi_server, browser, csp_violations
):
    from huoli.helpline.models import WaitingLimit
    from huoli.tests.browser.test_chat import counsellor_takes_chat

    url = asgi_server.url
    limit = WaitingLimit.saved()
    limit.chat_minutes = 1
    limit.save()
    staff = csp_violations(browser.new_context(locale="en-GB").new_page())
    counsellor_on_duty(staff, url)
    visitor = csp_violations(browser.new_context(locale="en-GB").new_page())
    # The page's timers on a clock the test moves: the minute passes without waiting it.
    visitor.clock.install()
    visitor_starts_chat(visitor, url)
    answer_later = visitor.get_by_role("button", name="Answer me later")
    expect(answer_later).to_be_hidden()
    counsellor_takes_chat(staff, visitor)

    # The waiting limit passes while the visitor talks with Aino: no "Sorry for the wait".
    visitor.clock.fast_forward(70_000)
    expect(visitor.get_by_text("You are talking with Aino.")).to_be_visible()
    expect(visitor.get_by_text("Sorry for the wait")).to_be_hidden()
    expect(answer_later).to_be_hidden()
    assert csp_violations.found == []

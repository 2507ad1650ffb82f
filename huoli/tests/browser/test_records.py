"""Contact records in a real browser: a phone call logged with the keyboard only, a case and
a follow-up that shows on the console home on its day; a chat's draft record completed."""

import datetime as dt
import re

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import expect

from huoli.cases.models import Case, FollowUp
from huoli.contacts.models import ContactRecord
from huoli.tests.browser.test_chat import (
    counsellor_on_duty,
    counsellor_takes_chat,
    log_in,
    visitor_starts_chat,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def focused_name(page) -> str:
    """The accessible name of the focused element, as a keyboard user would hear it."""
    return page.evaluate(
        """() => {
          const el = document.activeElement;
          const label = el.labels && el.labels[0];
          return (label ? label.textContent : el.textContent || el.value || "").trim();
        }"""
    )


def focus_lands_on(page, name: str) -> None:
    """Wait until the named control has the focus: a page gives it once its script has run
    (seen on a loaded machine: the heading was there and the focus still on the page)."""
    page.wait_for_function(
        """(name) => {
          const el = document.activeElement;
          const label = el && el.labels && el.labels[0];
          return !!label && label.textContent.trim().startsWith(name);
        }""",
        arg=name,
        timeout=10_000,
    )


def tab_to(page, name: str, *, limit: int = 80) -> None:
    """Press Tab until the named control has the focus (fails if it is not reachable)."""
    for _ in range(limit):
        if focused_name(page).startswith(name):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{name!r} cannot be reached with Tab (last: {focused_name(page)!r})")


def type_date(page, label: str, day: dt.date) -> None:
    """Type a date into the focused date field with the keys. Chromium orders the parts by
    its own locale, so the order is found first (01, 02 typed; which one became the month?)."""
    page.keyboard.type("01022030")
    month_first = page.get_by_label(label).input_value() == "2030-01-02"
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    parts = ("%m", "%d") if month_first else ("%d", "%m")
    page.keyboard.type(day.strftime(f"{parts[0]}{parts[1]}%Y"))
    assert page.get_by_label(label).input_value() == day.isoformat()


def test_a_call_is_logged_with_the_keyboard_and_its_follow_up_comes_due(
    demo_staff, asgi_server, browser
):
    url = asgi_server.url
    page = browser.new_context(locale="en-GB", timezone_id="Europe/Helsinki").new_page()
    log_in(page, url)

    # From the console home to the call form without the mouse.
    page.keyboard.press("Tab")
    tab_to(page, "Log a call")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Log a call")).to_be_visible()
    focus_lands_on(page, "Type of contact")  # the form takes the focus

    page.keyboard.type("About someone")
    tab_to(page, "Who is contacting")
    page.keyboard.type("Mother")
    tab_to(page, "Duration")
    page.keyboard.type("7")
    tab_to(page, "Age of the person of concern")
    page.keyboard.type("16")
    tab_to(page, "Islamist or jihadist")
    page.keyboard.press("Space")
    tab_to(page, "Conspiracy beliefs")
    page.keyboard.press("Space")
    tab_to(page, "0 · Information only")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    tab_to(page, "Summary")
    page.keyboard.type("Mother worried about her son's new online friends.")
    expect(page.get_by_label("Type of contact")).to_have_value(re.compile(r"\d+"))
    expect(page.get_by_label("2 · Ideological radicalisation", exact=False)).to_be_checked()
    tab_to(page, "Complete record")
    page.keyboard.press("Enter")
    expect(page.get_by_text("The contact record is complete.")).to_be_visible()

    record = ContactRecord.objects.get(channel="phone")
    assert record.status == "complete" and record.risk_level == 2
    assert record.contact_type.code == "about_someone" and record.contacting.code == "mother"
    assert record.age_band.code == "16_17"
    assert sorted(c.code for c in record.concerns.all()) == ["conspiracy", "islamist"]
    assert record.duration_minutes == 7
    assert record.summary.startswith("Mother worried")

    # Completing leads back to the console's home (no other record waits); the record
    # stays one link away: make a case from it.
    expect(page).to_have_url(f"{url}/console/")
    page.goto(f"{url}/console/records/{record.pk}/")
    tab_to(page, "Create a case")
    page.keyboard.press("Enter")
    expect(
        page.get_by_role("heading", name=re.compile(r"^Case [A-Z0-9]{3}-[A-Z0-9]{3}"))
    ).to_be_visible()
    case = Case.objects.get()
    record.refresh_from_db()
    assert record.case == case

    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    tab_to(page, "Due date")
    type_date(page, "Due date", tomorrow)
    tab_to(page, "What to do")
    page.keyboard.type("Call the mother back")
    tab_to(page, "Add follow-up")
    page.keyboard.press("Enter")
    expect(page.get_by_text("The follow-up was added.")).to_be_visible()
    assert FollowUp.objects.get().due_on == tomorrow

    # Today it is only coming up; tomorrow it is due.
    page.goto(f"{url}/console/")
    expect(page.get_by_role("region", name="Coming up")).to_contain_text("Call the mother back")
    expect(page.get_by_role("region", name="My follow-ups")).not_to_contain_text("Call the mother")
    # Tomorrow, and past the session's age: 08:30 alone is not, for a run after 20:30
    # (the session lasts 12 hours); the later of the two is always still tomorrow.
    next_morning = max(
        timezone.make_aware(dt.datetime.combine(tomorrow, dt.time(8, 30))),
        timezone.now() + dt.timedelta(seconds=settings.SESSION_COOKIE_AGE, minutes=5),
    )
    assert timezone.localtime(next_morning).date() == tomorrow
    with time_machine.travel(next_morning, tick=True):
        log_in(page, url)  # yesterday's session has expired
        due = page.get_by_role("region", name="My follow-ups")
        expect(due).to_contain_text("Call the mother back")
        expect(due).to_contain_text("Today")
        expect(due.get_by_role("link", name=f"Case {case.display_number}")).to_be_visible()


def chat_taken(browser, url: str):
    """A visitor's chat taken by the demo counsellor; returns (staff page, visitor page)."""
    staff = browser.new_context(locale="en-GB").new_page()
    counsellor_on_duty(staff, url)
    visitor = browser.new_context(locale="en-GB").new_page()
    visitor_starts_chat(visitor, url)
    counsellor_takes_chat(staff, visitor)
    return staff, visitor


def test_a_chat_yields_a_draft_record_that_the_counsellor_completes(
    demo_staff, asgi_server, browser
):
    staff, visitor = chat_taken(browser, asgi_server.url)
    visitor.get_by_label("Message").fill("My daughter talks only about the group now.")
    visitor.get_by_label("Message").press("Enter")
    expect(staff.get_by_text("My daughter talks only about the group now.")).to_be_visible()
    staff.get_by_text("End chat", exact=True).click()
    staff.get_by_role("button", name="Yes, end the chat").click()
    # Ending leads straight to the chat's draft record; it also waits on the console home.
    expect(staff.get_by_role("heading", name="Contact record: Chat")).to_be_visible()
    staff.goto(f"{asgi_server.url}/console/")
    drafts = staff.get_by_role("region", name="Records to complete")
    drafts.get_by_role("link", name=re.compile("^Chat")).click()
    expect(staff.get_by_role("heading", name="Contact record: Chat")).to_be_visible()
    staff.get_by_label("Type of contact").select_option(label="About someone else")
    staff.get_by_label("Who is contacting").select_option(label="Mother")
    # The draft saves by itself while the counsellor works.
    expect(staff.get_by_text(re.compile("Draft saved at"))).to_be_visible()
    staff.get_by_role("button", name="Complete record").click()
    expect(
        staff.get_by_text("To complete the record, fill in: concerns, risk level.")
    ).to_be_visible()
    staff.get_by_label("Mixed or unclear").check()
    staff.get_by_label("1 · Concern, no signs of extremism").check()
    staff.get_by_role("button", name="Complete record").click()
    expect(staff.get_by_text("The contact record is complete.")).to_be_visible()

    record = ContactRecord.objects.get()
    assert (record.channel, record.status, record.risk_level) == ("chat", "complete", 1)
    assert record.conversation is not None and record.ended_at is not None
    staff.goto(f"{asgi_server.url}/console/")
    expect(staff.get_by_role("region", name="Records to complete")).to_contain_text("Nothing to")


def test_log_a_call_starts_where_every_call_is_filled_in(demo_staff, asgi_server, browser):
    """Issue 21: the start took the focus and seven Tab presses, and a duration typed after
    one Tab went into the date. The type of contact comes first; one Tab each leads on to
    who is contacting, the duration and the language; the start stays now."""
    url = asgi_server.url
    page = browser.new_context(locale="en-GB", timezone_id="Europe/Helsinki").new_page()
    log_in(page, url)
    page.goto(f"{url}/console/calls/new/")
    expect(page.get_by_role("heading", name="Log a call")).to_be_visible()
    start_shown = page.get_by_label("Start").input_value()
    focus_lands_on(page, "Type of contact")
    assert focused_name(page) == "Type of contact"
    page.keyboard.type("About someone")
    for name, keys in [
        ("Who is contacting", "Mother"),
        ("Duration (minutes)", "12"),
        ("Language of the contact", "Swedish"),
    ]:
        page.keyboard.press("Tab")
        assert focused_name(page) == name
        page.keyboard.type(keys)
    page.keyboard.press("Tab")
    assert focused_name(page) == "Start"  # last of the call's fields, and left as it was
    expect(page.get_by_label("Duration (minutes)")).to_have_value("12")
    expect(page.get_by_label("Start")).to_have_value(start_shown)
    tab_to(page, "Save draft")
    page.keyboard.press("Enter")
    expect(page.get_by_text("The draft was saved.")).to_be_visible()

    record = ContactRecord.objects.get(channel="phone")
    assert (record.duration_minutes, record.language) == (12, "sv")
    assert record.contact_type.code == "about_someone" and record.contacting.code == "mother"
    assert abs(timezone.now() - record.started_at) < dt.timedelta(minutes=3)

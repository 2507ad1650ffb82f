"""Message times follow one rule on both chat pages, live and after a reload: hh:mm in the
line's time zone (settings.TIME_ZONE, named beside the messages), never the browser's own
clock (issue 21, point 5). Both browsers here run on New York time."""

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from playwright.sync_api import expect

from huoli.conversations.models import Message
from huoli.tests.browser.test_chat import (
    counsellor_on_duty,
    counsellor_takes_chat,
    visitor_starts_chat,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def times(page) -> list[tuple[str, str]]:
    return page.locator("[data-messages] .message .who time").evaluate_all(
        "(items) => items.map((t) => [t.textContent, t.dateTime])"
    )


def test_message_times_are_the_lines_time_live_and_after_a_reload(
    demo_staff, asgi_server, browser, csp_violations
):
    url = asgi_server.url
    elsewhere = {"locale": "en-US", "timezone_id": "America/New_York"}
    staff = csp_violations(browser.new_context(**elsewhere).new_page())
    counsellor_on_duty(staff, url)
    visitor = csp_violations(browser.new_context(**elsewhere).new_page())
    visitor_starts_chat(visitor, url)
    counsellor_takes_chat(staff, visitor)
    assert visitor.evaluate("Intl.DateTimeFormat().resolvedOptions().timeZone") == (
        "America/New_York"
    )

    visitor.get_by_label("Message").fill("Is anyone there?")
    visitor.get_by_label("Message").press("Enter")
    expect(staff.get_by_text("Is anyone there?")).to_be_visible()
    staff.get_by_label("Message").fill("Yes, I am here.")
    staff.get_by_label("Message").press("Enter")
    for page in (visitor, staff):
        expect(page.locator("[data-messages] .message .who time")).to_have_count(2)
    expect(visitor.get_by_text("Sending…")).to_have_count(0)

    line = ZoneInfo(settings.TIME_ZONE)
    expected = [
        m.created_at.astimezone(line).strftime("%H:%M") for m in Message.objects.order_by("seq")
    ]
    live = {"visitor": times(visitor), "staff": times(staff)}
    for shown in live.values():
        assert [text for text, _ in shown] == expected
        assert all(re.match(r"\d{4}-\d\d-\d\dT", moment) for _, moment in shown)
    visitor.reload()
    staff.reload()
    reloaded = {"visitor": times(visitor), "staff": times(staff)}
    for side in ("visitor", "staff"):
        assert [text for text, _ in reloaded[side]] == expected, side
    # The time zone is named once, beside the messages: for families in words ("Finnish
    # time": the line is in Helsinki), for staff by its name.
    expect(visitor.locator("[data-time-zone-note]")).to_contain_text("Finnish time")
    expect(staff.locator("[data-time-zone-note]")).to_contain_text(settings.TIME_ZONE)
    assert csp_violations.found == []


def test_a_message_of_another_day_shows_its_day_live_as_after_a_reload(live_server_url, browser):
    """The script's rule is the server's (huoli/tests/test_message_days.py): hh:mm today,
    "30.11. 21:05" for an earlier day of the line's time zone, whatever the browser's clock."""
    page = browser.new_context(locale="en-US", timezone_id="America/New_York").new_page()
    page.goto(f"{live_server_url}/en/")
    line = ZoneInfo(settings.TIME_ZONE)
    now = dt.datetime.now(line)
    earlier = (now - dt.timedelta(days=2)).replace(hour=21, minute=5)
    shown = page.evaluate(
        """async ([moments, zone]) => {
             const { messageTime } = await import("/static/shared/message_text.js");
             return moments.map((iso) => messageTime(iso, zone).textContent);
           }""",
        [[now.isoformat(), earlier.isoformat()], settings.TIME_ZONE],
    )
    assert shown == [now.strftime("%H:%M"), f"{earlier.day}.{earlier.month}. 21:05"]

"""The line's number at the top of an Arabic page reads left to right, as it is dialled: its
plus and country code on the left, its last digit on the right (issue 19). Without the
left-to-right isolation an Arabic line would show the groups of digits in reverse order."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from huoli.helpline.models import LineNumber, OpeningHours

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The left edge of the first and of the last character of an element's text, in CSS px.
EDGES = """(element) => {
  const text = element.firstChild;
  const left = (i) => {
    const range = document.createRange();
    range.setStart(text, i);
    range.setEnd(text, i + 1);
    return range.getBoundingClientRect().left;
  };
  return {first: left(0), last: left(text.length - 1), text: text.data,
          direction: getComputedStyle(element).direction};
}"""


def test_the_number_and_hours_read_left_to_right_on_an_arabic_page(live_server_url, browser):
    LineNumber.objects.create(number="+358 9 123 4567", language="ar")
    OpeningHours.objects.create(weekday=0, opens=dt.time(10), closes=dt.time(18))
    page = browser.new_context(locale="ar").new_page()
    page.goto(f"{live_server_url}/ar/")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    number = page.locator("a[data-line-number]")
    expect(number).to_be_visible()
    expect(number).to_have_attribute("href", "tel:+35891234567")
    shown = number.evaluate(EDGES)
    assert shown["text"].replace("\u00a0", " ") == "+358 9 123 4567"
    assert shown["direction"] == "ltr"
    assert shown["first"] < shown["last"], shown  # "+" on the left, "7" on the right
    times = page.locator(".line-hours bdi").first.evaluate(EDGES)
    assert times["text"] == "10:00\u201318:00"
    assert times["direction"] == "ltr" and times["first"] < times["last"], times
    # The number sits on the right-hand side of an Arabic page, after its label.
    label = page.locator(".line-numbers > span").bounding_box()
    assert number.bounding_box()["x"] < label["x"]

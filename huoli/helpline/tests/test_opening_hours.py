"""Is the line open: the weekly schedule, exceptions on single dates, closing at midnight
(Europe/Helsinki time)."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from huoli.helpline.models import Weekday
from huoli.helpline.selectors import HELSINKI, line_status
from huoli.helpline.tests.factories import OpeningExceptionFactory, OpeningHoursFactory

pytestmark = pytest.mark.django_db

MONDAY = dt.date(2031, 6, 16)
NEXT_MONDAY = MONDAY + dt.timedelta(days=7)


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=HELSINKI)


def test_open_within_the_weekly_hours_and_told_when_it_opens_next():
    OpeningHoursFactory(weekday=Weekday.MONDAY, opens=dt.time(9), closes=dt.time(17))
    during = line_status(at(MONDAY, 10))
    assert during.open_now and during.closes_at == at(MONDAY, 17)
    after = line_status(at(MONDAY, 18))
    assert not after.open_now and after.next_opening == at(NEXT_MONDAY, 9)


def test_an_exception_closes_a_day_or_sets_other_hours():
    OpeningHoursFactory(weekday=Weekday.MONDAY, opens=dt.time(9), closes=dt.time(17))
    OpeningExceptionFactory(date=MONDAY, note="Juhannus")
    OpeningExceptionFactory(date=NEXT_MONDAY, closed=False, opens=dt.time(12), closes=dt.time(14))
    closed = line_status(at(MONDAY, 10))
    assert not closed.open_now and closed.next_opening == at(NEXT_MONDAY, 12)


def test_closing_at_midnight_keeps_the_line_open_to_the_end_of_the_day():
    OpeningHoursFactory(weekday=Weekday.MONDAY, opens=dt.time(20), closes=dt.time(0))
    late = line_status(at(MONDAY, 23, 30))
    assert late.open_now and late.closes_at == at(MONDAY + dt.timedelta(days=1), 0)


def test_hours_that_close_before_they_open_are_refused():
    with pytest.raises(ValidationError):
        OpeningHoursFactory(opens=dt.time(17), closes=dt.time(9))
    with pytest.raises(ValidationError):
        OpeningExceptionFactory(closed=False, opens=dt.time(12), closes=None)

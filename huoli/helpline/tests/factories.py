"""The line's opening hours for tests. Administrators set them in the admin, whose forms
check each row (``full_clean``) before saving; these factories do the same. For a line
open around the clock use ``helpline.services.opening_hours_around_the_clock``."""

from __future__ import annotations

import datetime as dt

import factory

from huoli.helpline.models import OpeningException, OpeningHours, Weekday


class _CheckedFactory(factory.Factory):
    @classmethod
    def _create(cls, model_class, **kwargs):
        row = model_class(**kwargs)
        row.full_clean()
        row.save()
        return row


class OpeningHoursFactory(_CheckedFactory):
    """One period of the weekly schedule (Europe/Helsinki time)."""

    class Meta:
        model = OpeningHours

    weekday = Weekday.MONDAY
    opens = dt.time(9)
    closes = dt.time(17)


class OpeningExceptionFactory(_CheckedFactory):
    """A date when the weekly schedule does not apply: closed, or open from ``opens`` to
    ``closes``."""

    class Meta:
        model = OpeningException

    date = factory.Sequence(lambda n: dt.date(2031, 1, 1) + dt.timedelta(days=n))
    closed = True
    opens = None
    closes = None
    note = ""

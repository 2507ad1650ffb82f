"""The line's telephone numbers and opening hours, shown at the top of every public page
(issue 19): the numbers for the visitor's language as ``tel:`` links, the weekly hours in a
few lines. Numbers and times are written left to right inside right-to-left text."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import DatabaseError
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from huoli.helpline.selectors import HoursLine, line_numbers, weekly_hours


@dataclass(frozen=True)
class ShownNumber:
    tel: str  # the link's address: "+358800123456"
    text: str  # as printed, its spaces non-breaking: one number is never split over two lines


def shown_numbers(language: str) -> list[ShownNumber]:
    return [
        ShownNumber(tel=row.tel, text=row.number.replace(" ", "\u00a0"))
        for row in line_numbers(language)
    ]


def times_text(line: HoursLine) -> SafeString:
    """The times of one line of the hours, isolated left to right (an Arabic sentence around
    them would otherwise turn them around)."""
    return format_html('<bdi dir="ltr">{}</bdi>', line.times)


def hours_text(line: HoursLine) -> SafeString:
    """One line of the weekly hours in the active language: "Monday to Friday, 10:00 to 18:00",
    written with en dashes and no words."""
    if line.first == line.last:
        # Translators: one weekday and the times the line is open on it,
        # e.g. "Saturday 10:00-14:00".
        sentence = _("%(day)s %(times)s")
    else:
        # Translators: a range of weekdays and the times the line is open on each of them,
        # e.g. "Monday-Friday 10:00-18:00" (with en dashes).
        sentence = _("%(first_day)s–%(last_day)s %(times)s")  # noqa: RUF001
    return mark_safe(  # noqa: S308 - the sentence and every value are escaped
        conditional_escape(sentence)
        % {
            "day": conditional_escape(line.first_name),
            "first_day": conditional_escape(line.first_name),
            "last_day": conditional_escape(line.last_name),
            "times": times_text(line),
        }
    )


def line_contact(language: str) -> dict:
    """``line_numbers`` (``ShownNumber``, for ``language``) and ``line_hours`` (safe
    texts, one per line of the weekly hours): two queries; both empty while the database is
    away (the page saying so must still render)."""
    try:
        return {
            "line_numbers": shown_numbers(language),
            "line_hours": [hours_text(line) for line in weekly_hours()],
        }
    except DatabaseError:
        return {"line_numbers": [], "line_hours": []}

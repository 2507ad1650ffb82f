"""Is the line open, and when does it open next (Europe/Helsinki time)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.utils import timezone

from huoli.helpline.models import MIDNIGHT, LineNumber, OpeningException, OpeningHours, Weekday

HELSINKI = ZoneInfo("Europe/Helsinki")
LOOKAHEAD_DAYS = 21


@dataclass(frozen=True)
class Period:
    start: dt.datetime
    end: dt.datetime


@dataclass(frozen=True)
class LineStatus:
    open_now: bool
    closes_at: dt.datetime | None
    next_opening: dt.datetime | None


def _period(day: dt.date, opens: dt.time, closes: dt.time) -> Period:
    start = dt.datetime.combine(day, opens, tzinfo=HELSINKI)
    end_day = day + dt.timedelta(days=1) if closes == MIDNIGHT else day
    return Period(start, dt.datetime.combine(end_day, closes, tzinfo=HELSINKI))


def periods_between(first: dt.date, last: dt.date) -> list[Period]:
    weekly: dict[int, list[tuple[dt.time, dt.time]]] = {}
    for hours in OpeningHours.objects.all():
        weekly.setdefault(hours.weekday, []).append((hours.opens, hours.closes))
    exceptions = {e.date: e for e in OpeningException.objects.filter(date__range=(first, last))}
    periods = []
    day = first
    while day <= last:
        exception = exceptions.get(day)
        if exception is not None:
            if not exception.closed:
                periods.append(_period(day, exception.opens, exception.closes))
        else:
            periods.extend(_period(day, o, c) for o, c in sorted(weekly.get(day.weekday(), [])))
        day += dt.timedelta(days=1)
    return periods


def line_status(now: dt.datetime | None = None) -> LineStatus:
    now = (now or timezone.now()).astimezone(HELSINKI)
    today = now.date()
    periods = periods_between(today - dt.timedelta(days=1), today + dt.timedelta(LOOKAHEAD_DAYS))
    current = [p for p in periods if p.start <= now < p.end]
    if current:
        return LineStatus(open_now=True, closes_at=max(p.end for p in current), next_opening=None)
    upcoming = [p.start for p in periods if p.start > now]
    return LineStatus(open_now=False, closes_at=None, next_opening=min(upcoming, default=None))


def weekly_schedule() -> list[tuple[str, list[OpeningHours]]]:
    by_day: dict[int, list[OpeningHours]] = {}
    for hours in OpeningHours.objects.all():
        by_day.setdefault(hours.weekday, []).append(hours)

    return [(label, by_day.get(value, [])) for value, label in Weekday.choices]


def line_numbers(language: str) -> list[LineNumber]:
    """The numbers to print for a language: its own, or else those without a language."""
    rows = list(LineNumber.objects.filter(language__in=[language, ""]))
    own = [row for row in rows if row.language == language]
    return own or [row for row in rows if not row.language]


@dataclass(frozen=True)
class HoursLine:
    """Consecutive weekdays open the same hours: ``first`` to ``last`` (0 = Monday), each
    day open ``periods`` (opens, closes; closes 00:00 is midnight)."""

    first: int
    last: int
    periods: tuple[tuple[dt.time, dt.time], ...]

    @property
    def first_name(self) -> str:
        return str(Weekday(self.first).label)

    @property
    def last_name(self) -> str:
        return str(Weekday(self.last).label)

    @property
    def times(self) -> str:
        """The day's times, "10:00 to 12:00, 14:00 to 18:00" written with en dashes (closing
        at midnight as 24:00)."""
        return ", ".join(
            f"{opens:%H:%M}\u2013{'24:00' if closes == MIDNIGHT else f'{closes:%H:%M}'}"
            for opens, closes in self.periods
        )


def weekly_hours() -> list[HoursLine]:
    """The weekly schedule in a few lines (Monday to Friday 10:00 to 18:00), days closed left out;
    read in the visitor's language through the weekday names."""
    by_day: dict[int, list[tuple[dt.time, dt.time]]] = {}
    for hours in OpeningHours.objects.all():
        by_day.setdefault(hours.weekday, []).append((hours.opens, hours.closes))
    lines: list[HoursLine] = []
    for day in range(7):
        periods = tuple(sorted(by_day.get(day, [])))
        if not periods:
            continue
        if lines and lines[-1].last == day - 1 and lines[-1].periods == periods:
            lines[-1] = HoursLine(lines[-1].first, day, periods)
        else:
            lines.append(HoursLine(day, day, periods))
    return lines

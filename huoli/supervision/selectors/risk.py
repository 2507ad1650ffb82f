"""High-risk contacts per counsellor and shift, for supervisors to look after their people.

A shift is a stretch on duty (``conversations.DutyPeriod``, kept from going on duty to going
off). A contact that started outside any recorded shift (logged off duty, or older than the
shifts the purge keeps) counts on its day in the line's time zone (Europe/Helsinki) instead.
Purged records keep their day (``retention.services``), so past months still count."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from huoli.accounts.models import User
from huoli.contacts.models import ContactRecord, RiskLevel
from huoli.conversations.models import DutyPeriod
from huoli.core.policy import instances_user_has_permission_for

HIGH_RISK = RiskLevel.VIOLENCE  # levels 3 and 4


@dataclass
class Shift:
    day: date
    high_risk: int = 0
    imminent: int = 0  # of which risk level 4
    # The recorded shift (``end`` None: still on duty); both None: no shift was recorded
    # around these contacts, which are counted by ``day``.
    start: datetime | None = None
    end: datetime | None = None


@dataclass
class CounsellorRisk:
    counsellor: User
    shifts: list[Shift] = field(default_factory=list)

    @property
    def pk(self) -> int:
        return self.counsellor.pk

    @property
    def total(self) -> int:
        return sum(shift.high_risk for shift in self.shifts)

    @property
    def imminent(self) -> int:
        return sum(shift.imminent for shift in self.shifts)


def month_bounds(month: date) -> tuple[datetime, datetime]:
    """The first moment of the month and of the next, in the line's time zone."""
    zone = ZoneInfo(settings.TIME_ZONE)
    first = month.replace(day=1)
    following = (
        first.replace(year=first.year + 1, month=1)
        if first.month == 12
        else (first.replace(month=first.month + 1))
    )
    return (
        datetime.combine(first, time(), tzinfo=zone),
        datetime.combine(following, time(), tzinfo=zone),
    )


def _shift_of(periods: list[DutyPeriod], moment: datetime) -> DutyPeriod | None:
    """The period (sorted by start) that ``moment`` falls in, if any."""
    for period in reversed(periods):
        if period.started_at <= moment:
            return period if period.ended_at is None or moment < period.ended_at else None
    return None


def high_risk_counts(user, *, month: date) -> list[CounsellorRisk]:
    """Per counsellor (by name) and shift, the high-risk contacts of ``month``; nothing for
    anyone but supervisors."""
    start, end = month_bounds(month)
    records = instances_user_has_permission_for(
        user,
        "supervision.risk_counts",
        ContactRecord.objects.filter(
            risk_level__gte=HIGH_RISK,
            counsellor__isnull=False,
            started_at__gte=start,
            started_at__lt=end,
        ),
    ).values_list("counsellor", "started_at", "started_on", "risk_level")
    records = list(records)
    periods: dict[int, list[DutyPeriod]] = {}
    for period in DutyPeriod.objects.filter(
        Q(ended_at__isnull=True) | Q(ended_at__gt=start),
        counsellor__in={counsellor for counsellor, *_rest in records},
        started_at__lt=end,
    ).order_by("started_at", "pk"):
        periods.setdefault(period.counsellor_id, []).append(period)
    zone = ZoneInfo(settings.TIME_ZONE)
    shifts: dict[int, dict[tuple, Shift]] = {}
    for counsellor, started_at, started_on, level in records:
        period = _shift_of(periods.get(counsellor, []), started_at)
        if period is not None:
            key = ("shift", period.pk)
            new = Shift(
                day=timezone.localtime(period.started_at, zone).date(),
                start=period.started_at,
                end=period.ended_at,
            )
        else:
            day = started_on or timezone.localtime(started_at, zone).date()
            key = ("day", day)
            new = Shift(day=day)
        shift = shifts.setdefault(counsellor, {}).setdefault(key, new)
        shift.high_risk += 1
        shift.imminent += level == RiskLevel.IMMINENT
    counsellors = User.objects.filter(pk__in=shifts).select_related("counsellor_profile")
    result = [
        CounsellorRisk(
            counsellor=c,
            shifts=sorted(
                shifts[c.pk].values(), key=lambda s: (s.day, s.start is not None, s.start)
            ),
        )
        for c in counsellors
    ]
    return sorted(result, key=lambda row: (row.counsellor.display_name.casefold(), row.pk))

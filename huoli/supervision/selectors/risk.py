"""High-risk contacts per counsellor and shift, for supervisors to look after their people.

No duty periods are recorded (``CounsellorProfile.on_duty_since`` keeps only the current
one), so a shift is the counsellor's day in the line's time zone (Europe/Helsinki): the
contact records they hold with risk level 3 or 4, by the local day the contact started.
Purged records keep their day (``retention.services``), so past months still count."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, Q
from django.db.models.functions import TruncDate

from huoli.accounts.models import User
from huoli.contacts.models import ContactRecord, RiskLevel
from huoli.core.policy import instances_user_has_permission_for

HIGH_RISK = RiskLevel.VIOLENCE  # levels 3 and 4


@dataclass
class Shift:
    day: date
    high_risk: int
    imminent: int  # of which risk level 4


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


def high_risk_counts(user, *, month: date) -> list[CounsellorRisk]:
    """Per counsellor (by name) and shift (by day), the high-risk contacts of ``month``;
    nothing for anyone but supervisors."""
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
    )
    rows = (
        records.annotate(day=TruncDate("started_at", tzinfo=ZoneInfo(settings.TIME_ZONE)))
        .values("counsellor", "day")
        .annotate(
            high_risk=Count("pk"), imminent=Count("pk", filter=Q(risk_level=RiskLevel.IMMINENT))
        )
        .order_by("counsellor", "day")
    )
    by_counsellor: dict[int, list[Shift]] = {}
    for row in rows:
        by_counsellor.setdefault(row["counsellor"], []).append(
            Shift(day=row["day"], high_risk=row["high_risk"], imminent=row["imminent"])
        )
    counsellors = User.objects.filter(pk__in=by_counsellor).select_related("counsellor_profile")
    result = [CounsellorRisk(counsellor=c, shifts=by_counsellor[c.pk]) for c in counsellors]
    return sorted(result, key=lambda row: (row.counsellor.display_name.casefold(), row.pk))

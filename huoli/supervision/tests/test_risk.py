"""High-risk contacts per counsellor and shift: levels 3 and 4, by the Helsinki day the
contact started, in the chosen month; supervisors only."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from huoli.contacts.tests.factories import PhoneCallFactory
from huoli.core.roles import Role
from huoli.supervision.selectors.risk import high_risk_counts, month_bounds

pytestmark = pytest.mark.django_db

HELSINKI = ZoneInfo("Europe/Helsinki")


def at(day: int, hour: int, month: int = 11) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, 0, tzinfo=HELSINKI)


def test_counts_per_counsellor_and_helsinki_day(team):
    aino, ben, sara = team["aino"], team["ben"], team["sara"]
    # 00:30 in Helsinki on the 3rd is 22:30 UTC on the 2nd: it counts on the 3rd.
    PhoneCallFactory(counsellor=aino, risk_level=3, started_at=at(3, 0).replace(minute=30))
    PhoneCallFactory(counsellor=aino, risk_level=4, started_at=at(3, 18))
    PhoneCallFactory(counsellor=aino, risk_level=2, started_at=at(3, 19))  # not high risk
    PhoneCallFactory(counsellor=aino, risk_level=3, started_at=at(20, 9))
    PhoneCallFactory(counsellor=ben, risk_level=3, started_at=at(4, 9))
    PhoneCallFactory(counsellor=ben, started_at=at(4, 10))  # no risk level given
    PhoneCallFactory(counsellor=ben, risk_level=4, started_at=at(1, 9, month=12))  # December
    PhoneCallFactory(counsellor=ben, risk_level=4, started_at=at(31, 23, month=10))  # October

    rows = high_risk_counts(sara, month=dt.date(2026, 11, 1))
    table = {
        row.counsellor.pk: [(s.day, s.high_risk, s.imminent) for s in row.shifts] for row in rows
    }
    assert table == {
        aino.pk: [(dt.date(2026, 11, 3), 2, 1), (dt.date(2026, 11, 20), 1, 0)],
        ben.pk: [(dt.date(2026, 11, 4), 1, 0)],
    }
    assert {row.counsellor.pk: (row.total, row.imminent) for row in rows} == {
        aino.pk: (3, 1),
        ben.pk: (1, 0),
    }


@pytest.mark.parametrize("role", [Role.COUNSELLOR, Role.ANALYST, Role.ADMINISTRATOR])
def test_nobody_but_supervisors_gets_the_counts(team, staff_factory, role):
    PhoneCallFactory(counsellor=team["aino"], risk_level=3, started_at=at(3, 12))
    assert high_risk_counts(team["sara"], month=dt.date(2026, 11, 1)) != []
    assert high_risk_counts(staff_factory(role=role), month=dt.date(2026, 11, 1)) == []


def test_month_bounds_are_helsinki_midnights_also_in_december():
    start, end = month_bounds(dt.date(2026, 12, 15))
    assert start == dt.datetime(2026, 12, 1, tzinfo=HELSINKI)
    assert end == dt.datetime(2027, 1, 1, tzinfo=HELSINKI)


def test_contacts_count_per_recorded_shift_and_by_day_outside_one(team):
    """Two shifts on one day are two rows; a shift over midnight is one; a contact logged
    off duty counts on its day, marked as outside a recorded shift."""
    import time_machine

    from huoli.conversations.models import DutyPeriod
    from huoli.conversations.services.queue import duty_set

    aino, sara = team["aino"], team["sara"]

    def shift(start, end):
        with time_machine.travel(start, tick=False):
            duty_set(user=aino, on_duty=True)
        with time_machine.travel(end, tick=False):
            duty_set(user=aino, on_duty=False)

    shift(at(3, 8), at(3, 12))
    shift(at(3, 16), at(3, 21))
    shift(at(5, 20), at(6, 2))
    with time_machine.travel(at(7, 18), tick=False):
        duty_set(user=aino, on_duty=True)  # still on duty
    assert DutyPeriod.objects.filter(counsellor=aino).count() == 4
    PhoneCallFactory(counsellor=aino, risk_level=3, started_at=at(3, 9))
    PhoneCallFactory(counsellor=aino, risk_level=4, started_at=at(3, 17))
    PhoneCallFactory(counsellor=aino, risk_level=3, started_at=at(3, 20))
    PhoneCallFactory(counsellor=aino, risk_level=4, started_at=at(6, 1))  # after midnight
    PhoneCallFactory(counsellor=aino, risk_level=3, started_at=at(3, 14))  # between shifts
    PhoneCallFactory(counsellor=aino, risk_level=3, started_at=at(7, 19))

    [row] = high_risk_counts(sara, month=dt.date(2026, 11, 1))
    assert [(s.day, s.start, s.end, s.high_risk, s.imminent) for s in row.shifts] == [
        (dt.date(2026, 11, 3), None, None, 1, 0),
        (dt.date(2026, 11, 3), at(3, 8), at(3, 12), 1, 0),
        (dt.date(2026, 11, 3), at(3, 16), at(3, 21), 2, 1),
        (dt.date(2026, 11, 5), at(5, 20), at(6, 2), 1, 1),
        (dt.date(2026, 11, 7), at(7, 18), None, 1, 0),
    ]
    assert (row.total, row.imminent) == (6, 2)


def test_going_on_duty_twice_keeps_one_open_shift(team):
    from huoli.conversations.models import DutyPeriod
    from huoli.conversations.services.queue import duty_set

    aino = team["aino"]
    duty_set(user=aino, on_duty=True)
    duty_set(user=aino, on_duty=True)
    assert DutyPeriod.objects.filter(counsellor=aino, ended_at__isnull=True).count() == 1
    duty_set(user=aino, on_duty=False)
    duty_set(user=aino, on_duty=False)
    [period] = DutyPeriod.objects.filter(counsellor=aino)
    assert period.ended_at is not None

"""Dates, times and language names on the console (issue 21, points 7 and 11): day-month-year
and a 24-hour clock in every staff language, hours and minutes in "Draft saved at …", and a
language by its name, never its code."""

import datetime as dt
import re

import pytest
import time_machine
from django.utils import formats, timezone, translation

from huoli.contacts.tests.factories import PhoneCallFactory
from huoli.core.roles import Role

pytestmark = pytest.mark.django_db

AFTERNOON = timezone.make_aware(dt.datetime(2027, 3, 1, 15, 58))
ON_THE_HOUR = timezone.make_aware(dt.datetime(2027, 3, 1, 16, 0))


@pytest.mark.parametrize(
    ("language", "short_date", "short_datetime", "time"),
    [
        ("en", "1 Mar 2027", "1 Mar 2027 15:58", "15:58"),
        ("fi", "1.3.2027", "1.3.2027 15.58", "15.58"),
        ("sv", "1.3.2027", "1.3.2027 15:58", "15:58"),
    ],
)
def test_every_staff_language_writes_the_day_first_and_a_24_hour_clock(
    language, short_date, short_datetime, time
):
    local = timezone.localtime(AFTERNOON)
    with translation.override(language):
        assert formats.date_format(local, "SHORT_DATE_FORMAT") == short_date
        assert formats.date_format(local, "SHORT_DATETIME_FORMAT") == short_datetime
        assert formats.time_format(local, "TIME_FORMAT") == time
        assert "p.m." not in formats.date_format(local, "DATETIME_FORMAT")


def test_an_english_date_typed_day_first_is_read_day_first():
    """03/01/2027 in a form is 3 January, as it is shown; never 1 March."""
    from django import forms

    with translation.override("en"):
        assert forms.DateField().clean("03/01/2027") == dt.date(2027, 1, 3)
        assert forms.DateField().clean("2027-01-03") == dt.date(2027, 1, 3)


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "Draft saved at 16:00."),
        ("fi", "Luonnos tallennettu klo 16.00."),
        ("sv", "Utkastet sparat kl. 16:00."),
    ],
)
def test_draft_saved_gives_hours_and_minutes_and_one_full_stop(
    client, logged_in, language, expected
):
    with time_machine.travel(ON_THE_HOUR, tick=False):
        logged_in(Role.COUNSELLOR)
        response = client.post(
            "/console/calls/new/",
            {"started_at": "2027-03-01T15:50", "duration": "5", "language": "fi"},
            HTTP_X_HUOLI_AUTOSAVE="1",
            HTTP_ACCEPT_LANGUAGE=language,
        )
    assert response.json()["saved"] == expected


def test_a_records_and_a_conversations_language_are_named(client, logged_in):
    counsellor = logged_in(Role.COUNSELLOR)
    record = PhoneCallFactory(counsellor=counsellor, started_at=AFTERNOON, language="ar")
    page = client.get(f"/console/records/{record.pk}/", HTTP_ACCEPT_LANGUAGE="en").content
    text = re.sub(r"\s+", " ", page.decode())
    assert "Language: Arabic" in text
    assert "Language: ar" not in text
    assert "1 Mar 2027 15:58" in text  # the record's start, day first, 24-hour clock
    with translation.override("fi"):
        assert record.language_name == "arabia"

"""The statistics pages over HTTP."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import translation
from django.utils.formats import date_format

from huoli.core.models import AuditEntry
from huoli.core.roles import Role

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
HELSINKI = ZoneInfo("Europe/Helsinki")


@pytest.mark.parametrize(
    ("today", "first", "last"),
    [
        (datetime(2026, 12, 2, 9, tzinfo=HELSINKI), date(2026, 7, 1), date(2026, 9, 30)),
        (datetime(2027, 1, 1, 0, 30, tzinfo=HELSINKI), date(2026, 10, 1), date(2026, 12, 31)),
        (datetime(2027, 3, 31, 23, 30, tzinfo=HELSINKI), date(2026, 10, 1), date(2026, 12, 31)),
        (datetime(2027, 4, 1, 0, 30, tzinfo=HELSINKI), date(2027, 1, 1), date(2027, 3, 31)),
    ],
)
def test_the_dashboard_opens_on_the_last_full_quarter(client, logged_in, today, first, last):
    """This month has too few contacts for most figures to show more than "<5"."""
    with time_machine.travel(today, tick=False):
        logged_in(Role.ANALYST)
        page = client.get("/console/reports/", **EN)
    html = page.content.decode()
    assert page.status_code == 200 and 'data-figure="contacts"' in html
    with translation.override("en"):
        shown = [date_format(day, "SHORT_DATE_FORMAT") for day in (first, last)]
    assert "{} \u2013 {}".format(*shown) in html
    assert '<option value="quarter" selected>' in html
    assert "Contacts by month" in html


def test_the_dashboard_takes_any_range_from_a_supervisor(client, logged_in):
    # Analysts choose only whole periods (reports/tests/test_reports.py).
    logged_in(Role.SUPERVISOR)
    page = client.get("/console/reports/", {"period": "month"}, **EN)
    assert page.status_code == 200 and "Contacts by week" in page.content.decode()
    custom = client.get(
        "/console/reports/", {"period": "custom", "start": "2026-01-01", "end": "2026-03-31"}, **EN
    )
    assert "Contacts by month" in custom.content.decode()
    assert "3/2026" in custom.content.decode()


def test_a_bad_range_gets_a_clear_answer(client, logged_in):
    logged_in(Role.SUPERVISOR)
    page = client.get(
        "/console/reports/", {"period": "custom", "start": "2026-03-01", "end": "2026-01-01"}, **EN
    )
    assert "The last day comes before the first." in page.content.decode()
    pdf = client.get(
        "/console/reports/report.pdf", {"period": "custom", "start": "2026-03-01"}, **EN
    )
    assert pdf.status_code == 400
    assert "Give both the first and the last day." in pdf.content.decode()


def test_every_download_is_audited(client, logged_in):
    analyst = logged_in(Role.ANALYST)
    for url, kind in (
        ("/console/reports/statistics.csv", "text/csv"),
        ("/console/reports/statistics.xlsx", "application/vnd.openxmlformats"),
        ("/console/reports/report.pdf", "application/pdf"),
    ):
        response = client.get(url, {"period": "year", "year": "2026"})
        assert response.status_code == 200 and response["Content-Type"].startswith(kind)
    formats = [
        entry.data["format"]
        for entry in AuditEntry.objects.filter(
            actor_id=analyst.pk, action="reports.exported"
        ).order_by("seq")
    ]
    assert formats == ["csv", "xlsx", "pdf"]

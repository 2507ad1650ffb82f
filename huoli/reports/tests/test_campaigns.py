"""The statistics' "Campaign codes" table (issue 19, point 4): starts from partners' links by
campaign code, every campaign ever made a row, counts of whole months suppressed like every
count, checked with the year's other reports, and in the dashboard and every file."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime

import openpyxl
import pytest
import time_machine
from django.utils import translation
from pypdf import PdfReader

from huoli.core.roles import Role
from huoli.helpline.selectors import HELSINKI
from huoli.outreach.models import Campaign, CampaignCount
from huoli.reports.exports import report_csv, report_pdf, report_xlsx
from huoli.reports.selectors import report_for, whole_periods, year_reports

pytestmark = pytest.mark.django_db

YEAR = 2026
MARCH = (date(YEAR, 3, 1), date(YEAR, 3, 31))
Q1 = (date(YEAR, 1, 1), date(YEAR, 3, 31))


@pytest.fixture
def campaigns(db):
    """koulu: 2 in January, 3 in February, 12 in March; moskeija (no longer counted): 1 in
    March; kirjasto: never used."""
    koulu = Campaign.objects.create(code="koulu", name="Schools in Helsinki")
    moskeija = Campaign.objects.create(code="moskeija", name="Mosques", active=False)
    Campaign.objects.create(code="kirjasto", name="Libraries")
    for month, count in ((1, 2), (2, 3), (3, 12)):
        CampaignCount.objects.create(campaign=koulu, month=date(YEAR, month, 1), count=count)
    CampaignCount.objects.create(campaign=moskeija, month=date(YEAR, 3, 1), count=1)


def rows(report) -> dict[str, str]:
    table = report.campaigns
    shown = {label: cell.text for label, cell in table.rows}
    return {**shown, "Total": table.total_cell.text}


@translation.override("en")
def test_every_campaign_is_a_row_and_its_counts_are_suppressed(campaigns):
    march = report_for(*MARCH)
    assert march.campaigns.title == "Campaign codes"
    assert rows(march) == {
        "kirjasto (Libraries)": "<5",
        "koulu (Schools in Helsinki)": "10",  # 12
        "moskeija (Mosques)": "<5",  # 1, and listed though no longer counted
        "Total": "15",  # 13
    }
    january = report_for(date(YEAR, 1, 1), date(YEAR, 1, 31))
    assert set(rows(january).values()) == {"<5"}
    # A month without any count still lists every campaign.
    assert list(rows(report_for(date(YEAR, 7, 1), date(YEAR, 7, 31)))) == list(rows(march))


@translation.override("en")
def test_a_quarter_is_its_months_and_one_figure_has_one_text(campaigns):
    reports = year_reports(YEAR)
    quarter = reports[Q1]
    assert rows(quarter)["koulu (Schools in Helsinki)"] == "15"  # 17
    assert report_csv(report_for(*Q1)) == report_csv(quarter)
    # Every one of the 17 reports lists the same rows.
    for period in whole_periods(YEAR):
        assert [label for label, _c in reports[period].campaigns.rows] == [
            "kirjasto (Libraries)",
            "koulu (Schools in Helsinki)",
            "moskeija (Mosques)",
        ]


@translation.override("en")
def test_a_custom_range_counts_only_the_months_wholly_inside_it(campaigns):
    # 15 February to 31 March: March only (12), not February's 3.
    assert rows(report_for(date(YEAR, 2, 15), date(YEAR, 3, 31)))["Total"] == "15"
    assert report_for(date(YEAR, 2, 15), date(YEAR, 3, 31)).campaigns.total == 13
    # 1 to 30 March holds no whole month: nothing.
    assert report_for(date(YEAR, 3, 1), date(YEAR, 3, 30)).campaigns.total == 0
    assert report_for(date(YEAR, 1, 1), date(YEAR, 3, 31)).campaigns.total == 18
    assert "wholly inside" in report_for(*MARCH).campaigns.note


def test_without_campaigns_there_is_no_table(db):
    report = report_for(*MARCH)
    assert report.campaigns is None
    assert "Campaign codes" not in report_csv(report)


@translation.override("en")
def test_the_files_and_the_dashboard_show_the_table(client, logged_in, campaigns):
    report = report_for(*MARCH)
    lines = list(csv.reader(io.StringIO(report_csv(report))))
    assert ["Campaign codes", "Conversations"] in lines
    assert ["koulu (Schools in Helsinki)", "10"] in lines and ["moskeija (Mosques)", "<5"] in lines
    assert ["koulu (Schools in Helsinki)", "12"] not in lines
    one = list(csv.reader(io.StringIO(report_csv(report, "campaigns"))))
    assert ["Total", "15"] in one and ["Phone call", "<5"] not in one

    book = openpyxl.load_workbook(io.BytesIO(report_xlsx(report)))
    sheet = {r[0]: r[1] for r in book["Campaign codes"].iter_rows(min_row=2, values_only=True)}
    assert sheet == {
        "kirjasto (Libraries)": "<5",
        "koulu (Schools in Helsinki)": 10,
        "moskeija (Mosques)": "<5",
        "Total": 15,
    }

    text = "\n".join(
        p.extract_text() for p in PdfReader(io.BytesIO(report_pdf(report, "en"))).pages
    )
    assert "Campaign codes" in text and "koulu (Schools in Helsinki) 10" in text
    assert "koulu (Schools in Helsinki) 12" not in text

    logged_in(Role.ANALYST)
    page = client.get(
        "/console/reports/", {"period": "month", "year": str(YEAR), "month": "3"},
        HTTP_ACCEPT_LANGUAGE="en",
    )  # fmt: skip
    html = page.content.decode()
    table = html[html.index('id="t-campaigns"') :]
    table = table[: table.index("</section>")]
    assert '<th scope="row">koulu (Schools in Helsinki)</th><td>10</td>' in table
    assert '<th scope="row">moskeija (Mosques)</th><td>&lt;5</td>' in table
    assert '<th scope="row">Total</th><td>15</td>' in table
    assert ">12<" not in table and ">13<" not in table


@translation.override("en")
def test_the_running_month_is_never_counted(campaigns):
    """A report read again and again while the month runs would tell which conversation came
    by which link (the cell moves at the start that made it move): only ended months count."""
    with time_machine.travel(datetime(YEAR, 3, 20, 12, tzinfo=HELSINKI)):
        assert report_for(*MARCH).campaigns.total == 0
        assert report_for(*Q1).campaigns.total == 2 + 3  # January and February
        koulu = Campaign.objects.get(code="koulu")
        CampaignCount.objects.filter(campaign=koulu, month=MARCH[0]).update(count=40)
        assert rows(report_for(*MARCH)) == rows(report_for(date(YEAR, 3, 1), date(YEAR, 3, 30)))
    with time_machine.travel(datetime(YEAR, 4, 1, 12, tzinfo=HELSINKI)):
        assert report_for(*MARCH).campaigns.total == 41  # March has ended

"""Statistics: the figures, and small-cell suppression on the dashboard and in every file."""

import csv
import io
from datetime import date, datetime, timedelta

import openpyxl
import pytest
from django.utils import timezone, translation
from pypdf import PdfReader

from huoli.accounts.roles import Role
from huoli.accounts.tests.factories import StaffFactory
from huoli.contacts.models import ContactRecord, ListEntry
from huoli.conversations.models import Feedback
from huoli.reports.exports import report_csv, report_pdf, report_xlsx
from huoli.reports.selectors import report_for
from huoli.reports.suppression import HIDDEN_COMPLEMENT as X
from huoli.reports.suppression import count_cell, suppress_table

pytestmark = pytest.mark.django_db

NOVEMBER = (date(2026, 11, 1), date(2026, 11, 30))


def test_small_counts_show_as_less_than_k_and_zero_stays_zero():
    assert [count_cell(n, 5).text for n in (0, 1, 4, 5, 12)] == ["0", "<5", "<5", "5", "12"]
    assert count_cell(3, 10).text == "<10"


def test_a_total_that_would_reveal_a_hidden_count_is_hidden_with_the_next_smallest():
    cells, total = suppress_table([7, 3, 0, 20], 30, 5)
    assert [c.text for c in cells] == [X, "<5", "0", "20"]
    assert total.text == X
    # With two hidden counts, the total gives only their sum: it can be shown.
    cells, total = suppress_table([7, 3, 2, 20], 32, 5)
    assert [c.text for c in cells] == ["7", "<5", "<5", "20"] and total.text == "32"


@pytest.fixture
def november(db):
    """Ten phone calls and three chats in November 2026, one chat in December."""
    counsellor = StaffFactory(role=Role.COUNSELLOR)
    mother = ListEntry.objects.get(kind="contacting", code="mother")
    islamist = ListEntry.objects.get(kind="concern", code="islamist")
    tz = timezone.get_current_timezone()
    day = timezone.make_aware(datetime(2026, 11, 10, 12), tz)
    for i in range(13):
        record = ContactRecord.objects.create(
            channel="phone" if i < 10 else "chat",
            counsellor=counsellor,
            started_at=day + timedelta(days=i % 5),
            contacting=mother if i < 6 else None,
            risk_level=2,
            language="fi",
        )
        record.concerns.add(islamist)
    ContactRecord.objects.create(
        channel="chat", counsellor=counsellor, started_at=day + timedelta(days=30)
    )
    for answer in ["yes"] * 6 + ["no"]:
        Feedback.objects.create(answer=answer, day=date(2026, 11, 12))


def rows(table):
    return {label: cell.text for label, cell in table.rows}


@translation.override("en")
def test_the_report_counts_and_hides_small_cells(november):
    report = report_for(*NOVEMBER)
    assert report.contacts.text == "13"
    channel = next(t for t in report.tables if t.key == "channel")
    # Three chats are hidden; the phone calls too, or 13 minus 0 messages would tell.
    assert rows(channel) == {"Phone call": X, "Chat": "<5", "Message": "0"}
    assert channel.total_cell.text == X
    assert (
        rows(next(t for t in report.tables if t.key == "risk_level"))[
            "2 · Ideological radicalisation, no signs of violence"
        ]
        == "13"
    )
    contacting = rows(next(t for t in report.tables if t.key == "contacting"))
    assert contacting["Mother"] == "6" and contacting["Not recorded"] == "7"
    assert rows(report.feedback) == {"Yes": X, "Partly": "0", "No": "<5"}
    monthly = next(t for t in report.series if t.key == "monthly")
    assert rows(monthly) == {"11/2026": "13"}


@translation.override("en")
def test_csv_xlsx_and_pdf_show_the_same_hidden_cells(november):
    report = report_for(*NOVEMBER)
    lines = list(csv.reader(io.StringIO(report_csv(report))))
    assert ["Chat", "<5"] in lines and ["Phone call", X] in lines
    assert ["Phone call", "10"] not in lines and ["Chat", "3"] not in lines
    one = list(csv.reader(io.StringIO(report_csv(report, "channel"))))
    assert ["Chat", "<5"] in one and ["Total", X] in one and ["Mother", "6"] not in one

    book = openpyxl.load_workbook(io.BytesIO(report_xlsx(report)))
    channel = {row[0]: row[1] for row in book["Channel"].iter_rows(min_row=2, values_only=True)}
    assert channel == {"Phone call": X, "Chat": "<5", "Message": "0", "Total": X}
    values = {str(v) for sheet in book for row in sheet.iter_rows(values_only=True) for v in row}
    assert "3" not in values and "10" not in values

    pdf = PdfReader(io.BytesIO(report_pdf(report, "en")))
    text = "\n".join(page.extract_text() for page in pdf.pages)
    assert "Huoli statistics" in text and "Chat <5" in text and f"Phone call {X}" in text
    assert "Phone call 10" not in text and "Chat 3" not in text
    assert len(pdf.pages) >= 2


def pdf_text(language: str) -> str:
    with translation.override(language):  # the report is made in the PDF's language
        content = report_pdf(report_for(*NOVEMBER), language)
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_the_pdf_speaks_finnish_and_swedish(november):
    finnish, swedish = pdf_text("fi"), pdf_text("sv")
    assert "Yhteydenottaja" in finnish and "Puhelu" in finnish
    assert "Vem som kontaktar" in swedish and "Telefonsamtal" in swedish


def test_the_dashboard_shows_only_suppressed_cells(client, logged_in, november):
    logged_in(Role.ANALYST)
    page = client.get(
        "/console/reports/", {"period": "month", "year": "2026", "month": "11"},
        HTTP_ACCEPT_LANGUAGE="en",
    )  # fmt: skip
    html = page.content.decode()
    channel = html[html.index('id="t-channel"') : html.index('id="t-language"')]
    assert '<th scope="row">Chat</th><td>&lt;5</td>' in channel
    assert f'<th scope="row">Phone call</th><td>{X}</td>' in channel
    assert f'<th scope="row">Total</th><td>{X}</td>' in channel
    assert ">10<" not in channel and ">3<" not in channel
    # The chart draws no bar for a hidden count: its only bar is for no one.
    assert "<rect" not in channel

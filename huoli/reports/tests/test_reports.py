"""Statistics: the figures, and small-cell suppression on the dashboard and in every file."""

import csv
import io
from datetime import date, datetime, timedelta

import openpyxl
import pytest
from django.utils import timezone, translation
from pypdf import PdfReader

from huoli.accounts.tests.factories import StaffFactory
from huoli.contacts.models import ContactRecord, ListEntry
from huoli.contacts.tests.factories import PhoneCallFactory
from huoli.conversations.tests.factories import feedback_given
from huoli.core.roles import Role
from huoli.reports.exports import report_csv, report_pdf, report_xlsx
from huoli.reports.selectors import report_for
from huoli.reports.suppression import HIDDEN_COMPLEMENT as X
from huoli.reports.suppression import count_cell, pinned, protect, suppress_table

pytestmark = pytest.mark.django_db

NOVEMBER = (date(2026, 11, 1), date(2026, 11, 30))


def test_counts_under_k_zero_included_show_as_less_than_k_and_the_rest_is_rounded():
    texts = [count_cell(n, 5).text for n in (0, 1, 4, 5, 7, 8, 12, 13, 142, 143)]
    assert texts == ["<5", "<5", "<5", "5", "5", "10", "10", "15", "140", "145"]
    assert count_cell(3, 10).text == "<10" and count_cell(14, 10).text == "10"
    # A reader can tell the range of every text, and nothing narrower.
    assert [(count_cell(n, 5).low, count_cell(n, 5).high) for n in (0, 3, 6, 10)] == [
        (0, 4), (0, 4), (5, 7), (8, 12)
    ]  # fmt: skip


def test_two_hidden_counts_beside_a_total_are_not_pinned_by_it():
    """20 + 4 + 4 = 28: with exact figures the hidden two add up to 8, so both are 4."""
    cells, total = suppress_table([20, 4, 4], 28, 5)
    assert [c.text for c in cells] == ["20", "<5", "<5"] and total.text == "30"
    assert pinned([cells], [total], 5) == []


def test_a_count_the_rounded_figures_would_pin_is_protected_by_hiding_the_largest():
    # 4 + 7 + 7 = 18 shows as <5, 5, 5 and 20: the total is at least 18 and the shown rows at
    # most 7 each, so the hidden one is at least 4, and "<5" says at most 4: exactly 4.
    # The largest shown count is hidden instead.
    cells = [count_cell(n, 5) for n in (4, 7, 7)]
    assert pinned([cells], [count_cell(18, 5)], 5) == [0]
    cells, total = suppress_table([4, 7, 7], 18, 5)
    assert [c.text for c in cells] == ["<5", X, "5"] and total.text == "20"
    assert pinned([cells], [total], 5) == []


def test_tables_that_add_up_to_the_contacts_figure_are_checked_together():
    # 16 contacts: 12 calls and 4 chats show as 10 and <5, which alone pins nothing. A second
    # breakdown of the same contacts, 8 and 8, shows 10 and 10: at least 16 contacts; the
    # first says at most 12 calls. So the chats are at least 4, and "<5" says exactly 4.
    contacts = count_cell(16, 5)
    channel = [count_cell(n, 5) for n in (12, 4)]
    other = [count_cell(n, 5) for n in (8, 8)]
    assert pinned([channel], [contacts], 5) == [] and pinned([other], [contacts], 5) == []
    assert pinned([channel, other], [contacts, contacts], 5) == [0]
    protect([channel, other], [contacts, contacts], 5)
    assert pinned([channel, other], [contacts, contacts], 5) == []
    assert [c.text for c in channel] == [X, "<5"]


@pytest.fixture
def november(db):
    """Eleven phone calls and three chats in November 2026, one chat in December."""
    counsellor = StaffFactory(role=Role.COUNSELLOR)
    mother = ListEntry.objects.get(kind="contacting", code="mother")
    islamist = ListEntry.objects.get(kind="concern", code="islamist")
    tz = timezone.get_current_timezone()
    day = timezone.make_aware(datetime(2026, 11, 10, 12), tz)
    for i in range(14):
        fields = {
            "counsellor": counsellor,
            "started_at": day + timedelta(days=i % 5),
            "contacting": mother if i < 6 else None,
            "risk_level": 2,
            "language": "fi",
        }
        if i < 11:
            PhoneCallFactory(concerns=[islamist], **fields)
        else:
            # Chat records (here and December's below) are made directly: the services make
            # a chat's record only when the chat is taken, now, and its queue time with it.
            record = ContactRecord.objects.create(channel="chat", **fields)
            record.concerns.add(islamist)
    ContactRecord.objects.create(
        channel="chat", counsellor=counsellor, started_at=day + timedelta(days=30)
    )
    for answer in ["yes"] * 6 + ["no"]:
        feedback_given(answer=answer, day=date(2026, 11, 12))


def rows(table):
    return {label: cell.text for label, cell in table.rows}


@translation.override("en")
def test_the_report_counts_rounds_and_hides_small_cells(november):
    report = report_for(*NOVEMBER)
    assert report.contacts.text == "15"  # 14
    channel = next(t for t in report.tables if t.key == "channel")
    assert rows(channel) == {
        "Phone call": "10",
        "Chat": "<5",
        "Message": "<5",
        "Not recorded": "<5",
    }
    assert channel.total_cell.text == "15"
    risk = rows(next(t for t in report.tables if t.key == "risk_level"))
    assert risk["2 · Ideological radicalisation, no signs of violence"] == "15"
    contacting = rows(next(t for t in report.tables if t.key == "contacting"))
    assert contacting["Mother"] == "5" and contacting["Not recorded"] == "10"  # 6 and 8
    assert rows(report.feedback) == {"Yes": "5", "Partly": "<5", "No": "<5"}
    monthly = next(t for t in report.series if t.key == "monthly")
    assert rows(monthly) == {"11/2026": "15"}


@translation.override("en")
def test_a_retired_entry_is_listed_in_every_period_used_or_not(november):
    """A row listed only where it was used would say "at least one" (and sums across
    months would pin it): a retired entry is listed in every report, as "<5" when unused."""
    mother = ListEntry.objects.get(kind="contacting", code="mother")
    mother.active = False
    mother.save()
    for period in (NOVEMBER, (date(2026, 12, 1), date(2026, 12, 31))):
        contacting = rows(next(t for t in report_for(*period).tables if t.key == "contacting"))
        assert "Mother" in contacting, period
    december = report_for(date(2026, 12, 1), date(2026, 12, 31))
    assert rows(next(t for t in december.tables if t.key == "contacting"))["Mother"] == "<5"


@translation.override("en")
def test_csv_xlsx_and_pdf_show_the_same_cells(november):
    report = report_for(*NOVEMBER)
    lines = list(csv.reader(io.StringIO(report_csv(report))))
    assert ["Chat", "<5"] in lines and ["Phone call", "10"] in lines
    assert ["Phone call", "11"] not in lines and ["Chat", "3"] not in lines
    one = list(csv.reader(io.StringIO(report_csv(report, "channel"))))
    assert ["Chat", "<5"] in one and ["Total", "15"] in one and ["Mother", "5"] not in one

    book = openpyxl.load_workbook(io.BytesIO(report_xlsx(report)))
    channel = {row[0]: row[1] for row in book["Channel"].iter_rows(min_row=2, values_only=True)}
    assert channel == {
        "Phone call": "10",
        "Chat": "<5",
        "Message": "<5",
        "Not recorded": "<5",
        "Total": "15",
    }
    values = {str(v) for sheet in book for row in sheet.iter_rows(values_only=True) for v in row}
    assert not values & {"3", "6", "8", "11", "14"}

    pdf = PdfReader(io.BytesIO(report_pdf(report, "en")))
    text = "\n".join(page.extract_text() for page in pdf.pages)
    assert "Huoli statistics" in text and "Chat <5" in text and "Phone call 10" in text
    assert "Phone call 11" not in text and "Chat 3" not in text and "14" not in text
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
    assert '<th scope="row">Phone call</th><td>10</td>' in channel
    assert '<th scope="row">Total</th><td>15</td>' in channel
    assert ">11<" not in channel and ">3<" not in channel and ">14<" not in channel
    # The chart draws bars of the shown figures, and none for a hidden count.
    assert channel.count("<rect") == 1 and 'width="300"' in channel


@pytest.mark.parametrize("lead", ["=", "+", "-", "@", "\t", "\r"])
def test_the_statistics_csv_neutralises_labels_a_spreadsheet_would_run(november, lead):
    """A list entry's name is typed by an administrator; in a spreadsheet it must stay text."""
    label = f'{lead}HYPERLINK("http://example.invalid","x")'
    ListEntry.objects.filter(kind="contacting", code="mother").update(name_fi=label)
    with translation.override("fi"):
        lines = list(csv.reader(io.StringIO(report_csv(report_for(*NOVEMBER)))))
    assert any(row[:1] == [f"'{label}"] for row in lines)
    for cells in lines:
        assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in cells)


def test_analysts_choose_whole_periods_and_supervisors_may_audit_any_range(
    client, logged_in, november
):
    """Two custom ranges ending on consecutive days differ by one day's contacts."""
    logged_in(Role.ANALYST)
    html = client.get("/console/reports/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'value="custom"' not in html and 'name="start"' not in html
    assert 'data-note="any-range"' not in html
    custom = {"period": "custom", "start": "2026-11-01", "end": "2026-11-12"}
    page = client.get("/console/reports/", custom, HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()
    assert page.status_code == 200 and 'data-figure="contacts"' not in html
    assert "Select a valid choice" in html
    for kind in ("statistics.csv", "statistics.xlsx", "report.pdf"):
        assert client.get(f"/console/reports/{kind}", custom).status_code == 400

    client.logout()
    logged_in(Role.SUPERVISOR)
    html = client.get("/console/reports/", custom, HTTP_ACCEPT_LANGUAGE="fi").content.decode()
    assert 'value="custom"' in html and 'data-figure="contacts"' in html
    assert "Muu ajanjakso on vain esihenkilöille ja ylläpitäjille" in html
    assert client.get("/console/reports/statistics.csv", custom).status_code == 200

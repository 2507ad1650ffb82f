"""Statistics: the figures, and small-cell suppression on the dashboard and in every file."""

import csv
import io
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from django.conf import settings
from django.utils import timezone, translation
from pypdf import PdfReader

from huoli.accounts.tests.factories import StaffFactory
from huoli.calls.models import Call
from huoli.calls.tests.factories import call_at, call_taker_on_duty
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


def texts(levels):
    """Service levels as printed (their counts are cells)."""
    return {label: str(value) for label, value in levels}


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
    # The feedback table counts answers to the question, not contacts (issue 21).
    assert (report.feedback.unit, channel.unit) == ("Answers", "Contacts")
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
    # Numbers are numbers (a sum or a chart works on them), and "<5" stays a text.
    assert channel == {
        "Phone call": 10,
        "Chat": "<5",
        "Message": "<5",
        "Not recorded": "<5",
        "Total": 15,
    }
    assert [type(v) for v in channel.values()] == [int, str, str, str, int]
    summary = {r[0]: r[1] for r in book["Summary"].iter_rows(values_only=True)}
    assert summary["Contacts"] == 15 and isinstance(summary["Contacts"], int)
    values = {str(v) for sheet in book for row in sheet.iter_rows(values_only=True) for v in row}
    assert not values & {"3", "6", "8", "11", "14"}

    pdf = PdfReader(io.BytesIO(report_pdf(report, "en")))
    text = "\n".join(page.extract_text() for page in pdf.pages)
    assert "Huoli statistics" in text and "Chat <5" in text and "Phone call 10" in text
    assert "Phone call 11" not in text and "Chat 3" not in text
    assert "Contacts 14" not in text and "Total 14" not in text  # ("14:00-14:59" is an hour)
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


# Monday 9 November 2026, 10:00 in Helsinki.
MONDAY_10 = datetime(2026, 11, 9, 10, 0, tzinfo=ZoneInfo("Europe/Helsinki"))


@pytest.fixture
def november_calls(db):
    """Six calls answered on a Monday morning (waits 10..60 s, talks 5..10 min), a caller
    who hung up while waiting late on Tuesday, one who waited too long on Wednesday."""
    aino = call_taker_on_duty()
    for i in range(6):
        call_at(
            MONDAY_10 + timedelta(minutes=11 * i), by=aino, wait=10 * (i + 1), talk=60 * (5 + i)
        )
    call_at(MONDAY_10 + timedelta(days=1, hours=13, minutes=30), wait=40, ended="cancelled")
    call_at(MONDAY_10 + timedelta(days=2, hours=2), ended="timed_out")
    return aino


@translation.override("en")
def test_calls_offered_answered_abandoned_timed_out_and_their_times(november_calls):
    report = report_for(*NOVEMBER)
    assert report.calls.text == "10"  # 8
    assert texts(report.call_levels) == {
        "Calls offered": "10",
        "Median time to answer": "40 s",
        "90th percentile of time to answer": "50 s",
        "Median talk time": "7.5 min",
        "Total talk time": "45 min",
        "Median time from a call-back request to the first call": "—",
    }
    by_key = {table.key: table for table in report.call_tables}
    assert rows(by_key["call_outcome"]) == {
        "Answered": "5",  # 6
        "Caller hung up while waiting": "<5",
        "Waited too long": "<5",
        "Waiting or ringing": "<5",
    }
    assert by_key["call_outcome"].unit == "Calls"
    weekdays = rows(by_key["call_weekday"])
    assert list(weekdays) == [
        "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"
    ]  # fmt: skip
    assert weekdays["Monday"] == "5" and weekdays["Tuesday"] == "<5"
    hours = rows(by_key["call_hour"])
    assert len(hours) == 25 and hours["10:00-10:59"] == "5" and hours["09:00-09:59"] == "<5"
    assert hours["Hour no longer kept (older calls)"] == "<5"
    for table in report.call_tables:
        assert table.total_cell.text == "10"


def test_call_counts_are_computed_from_the_calls_not_their_suppressed_texts(november_calls):
    """Behind the texts: the true counts by local weekday and hour (Europe/Helsinki)."""
    by_key = {table.key: table for table in report_for(*NOVEMBER).call_tables}
    assert by_key["call_outcome"].values == [6, 1, 1, 0]
    assert by_key["call_weekday"].values == [6, 1, 1, 0, 0, 0, 0]
    hours = by_key["call_hour"].values
    assert hours[10] == 6 and hours[23] == 1 and hours[12] == 1
    assert sum(hours) == 8 and hours[24] == 0


@translation.override("en")
def test_call_times_are_shown_only_with_enough_calls_behind_them(november_calls):
    tuesday = report_for(date(2026, 11, 10), date(2026, 11, 10))
    assert texts(tuesday.call_levels) == {
        "Calls offered": "<5",
        "Median time to answer": "—",
        "90th percentile of time to answer": "—",
        "Median talk time": "—",
        "Total talk time": "—",
        "Median time from a call-back request to the first call": "—",
    }
    # Four answered calls (of six, two taken away): no times either.
    Call.objects.filter(pk__in=Call.objects.order_by("offered_at").values("pk")[:2]).delete()
    levels = texts(report_for(*NOVEMBER).call_levels)
    assert levels["Median time to answer"] == levels["Total talk time"] == "—"


def test_a_small_call_count_is_not_pinned_by_the_tables_of_calls_together(db):
    """Seven calls, six answered: alone, "5" answered and "<5" each of the rest pins none;
    with the weekday and hour tables beside it, the check covers them all."""
    aino = call_taker_on_duty()
    for i in range(6):
        call_at(MONDAY_10 + timedelta(minutes=20 * i), by=aino, wait=10, talk=60)
    call_at(MONDAY_10 + timedelta(days=1), wait=40, ended="cancelled")
    report = report_for(*NOVEMBER)
    k = settings.HUOLI_SMALL_COUNT
    tables = [t.cells for t in report.call_tables]
    assert pinned(tables, [report.calls] * len(tables), k) == []


@translation.override("en")
def test_call_figures_in_the_dashboard_and_every_file(client, logged_in, november_calls):
    report = report_for(*NOVEMBER)
    lines = list(csv.reader(io.StringIO(report_csv(report))))
    assert ["Calls by weekday", "Calls"] in lines and ["Monday", "5"] in lines
    assert ["Calls offered", "10"] in lines and ["Median time to answer", "40 s"] in lines
    assert ["Monday", "6"] not in lines and ["Calls offered", "8"] not in lines
    book = openpyxl.load_workbook(io.BytesIO(report_xlsx(report)))
    outcome = {r[0]: r[1] for r in book["Calls by outcome"].iter_rows(values_only=True)}
    assert outcome["Calls by outcome"] == "Calls" and outcome["Answered"] == 5
    summary = {r[0]: r[1] for r in book["Summary"].iter_rows(values_only=True)}
    assert summary["Calls offered"] == 10 and summary["Total talk time"] == "45 min"
    pdf = PdfReader(io.BytesIO(report_pdf(report, "en")))
    text = "\n".join(page.extract_text() for page in pdf.pages)
    assert "Calls offered 10" in text and "Median time to answer 40 s" in text
    assert "Calls by hour" in text and "Monday 5" in text

    logged_in(Role.ANALYST)
    html = client.get(
        "/console/reports/", {"period": "month", "year": "2026", "month": "11"},
        HTTP_ACCEPT_LANGUAGE="en",
    ).content.decode()  # fmt: skip
    assert '<dd data-figure="calls">10</dd>' in html
    assert "<dt>Median talk time</dt><dd>7.5 min</dd>" in html
    weekday = html[html.index('id="t-call_weekday"') : html.index('id="t-call_hour"')]
    assert '<th scope="col">Calls</th>' in weekday
    assert '<th scope="row">Monday</th><td>5</td>' in weekday


@translation.override("en")
def test_the_pdf_wraps_long_labels_instead_of_cutting_them(november):
    """A list entry's name longer than the label column is wrapped whole, never cut."""
    name = "Concerned about a relative's friends and online contacts (described at length)"
    ListEntry.objects.filter(kind="contacting", code="mother").update(name_en=name)
    report = report_for(*NOVEMBER)
    pdf = PdfReader(io.BytesIO(report_pdf(report, "en")))
    text = " ".join(" ".join(page.extract_text().split()) for page in pdf.pages)
    # Cut at 48 characters before: "...friends and online" and no more.
    for words in ("relative's friends", "contacts (described", "length)"):
        assert words in text, words


@translation.override("en")
def test_call_back_requests_by_outcome_and_the_wait_for_the_first_call():
    import time_machine

    from huoli.calls.services.callbacks import (
        callback_cancel,
        callback_number_for_dial,
        callback_outcome,
        callback_request,
    )
    from huoli.conversations.services.queue import conversation_take
    from huoli.conversations.tests.factories import open_line_with_counsellor
    from huoli.helpline.selectors import HELSINKI

    monday = datetime(2026, 11, 2, 9, 0, tzinfo=HELSINKI)
    with time_machine.travel(monday, tick=False):
        aino = open_line_with_counsellor(languages=["fi"])
        requests = [
            callback_request(language="fi", number=f"040 123 456{i}", slots=[(monday.date(), 10)])
            for i in range(9)
        ]
    for i, access in enumerate(requests[:7]):
        # Taken and called 1 h 5 min + i minutes after the request.
        with time_machine.travel(monday + timedelta(hours=1, minutes=5 + i), tick=False):
            conversation_take(counsellor=aino, conversation_id=access.conversation.pk)
            callback_number_for_dial(by=aino, conversation_id=access.conversation.pk)
            outcome = "wrong_number" if i == 6 else "reached"
            callback_outcome(by=aino, conversation_id=access.conversation.pk, outcome=outcome)
    callback_cancel(conversation_id=requests[7].conversation.pk, visitor_token=requests[7].token)
    report = report_for(*NOVEMBER)
    table = report.callbacks
    assert table.values == [6, 0, 1, 1, 1]
    assert rows(table) == {
        "Reached": "5",
        "Not reached in the times chosen": "<5",
        "Wrong number": "<5",
        "Cancelled by the family": "<5",
        "Still open": "<5",
    }
    assert table.total_cell.text == "10" and table.unit == "Requests"  # 9
    assert (
        texts(report.call_levels)["Median time from a call-back request to the first call"]
        == "68.0 min"
    )

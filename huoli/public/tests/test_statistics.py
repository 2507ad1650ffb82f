"""Open statistics (issue 19, point 5): a public page in every visitor language with the
figures of the quarters administrators published, the tables they chose, each figure the
staff report's cell for the same quarter; no parameter changes a figure; cached; CSV."""

from __future__ import annotations

import csv
import io
import random
from datetime import date, datetime
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from huoli.accounts.tests.factories import StaffFactory
from huoli.contacts.models import ContactRecord, ListEntry
from huoli.contacts.tests.factories import PhoneCallFactory
from huoli.core.roles import Role
from huoli.directory.models import Service
from huoli.directory.services import referral_record
from huoli.directory.tests.factories import ServiceFactory
from huoli.reports.exports import report_csv
from huoli.reports.models import OPEN_TABLES, OpenStatistics, PublishedQuarter
from huoli.reports.open_statistics import quarter_label
from huoli.reports.selectors import _build, every_table, report_for, year_reports
from huoli.reports.suppression import HIDDEN_COMPLEMENT as HIDDEN

pytestmark = pytest.mark.django_db

YEAR = 2025
Q1 = (date(YEAR, 1, 1), date(YEAR, 3, 31))
LANGUAGES = [code for code, _name in settings.LANGUAGES]
# Tables of the statistics that are never on the public page.
STAFF_ONLY = ("risk_level", "municipality", "stage", "heard_from", "interpreter", "action")
# Queries that make a report (the tables its figures come from).
REPORT_TABLES = ("contacts_contactrecord", "directory_referral", "cases_case", "calls_call",
                 "conversations_conversation", "conversations_feedback")  # fmt: skip


class _Tables(HTMLParser):
    """The page's figure tables: the caption, and (row header, figure) for every row, the
    total last; and the language each row header is marked with."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tables: list[dict] = []
        self.inside = False
        self.collecting: str | None = None  # "caption", "label" or "figure"

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "table" and "figures" in (attributes.get("class") or ""):
            self.inside = True
            self.tables.append({"caption": "", "rows": [], "langs": []})
        elif not self.inside:
            return
        elif tag == "caption":
            self.collecting = "caption"
        elif tag == "th" and attributes.get("scope") == "row":
            self.collecting = "label"
            self.tables[-1]["rows"].append(["", ""])
            self.tables[-1]["langs"].append(attributes.get("lang", ""))
        elif tag == "td" and self.tables[-1]["rows"]:
            self.collecting = "figure"

    def handle_endtag(self, tag):
        if tag == "table":
            self.inside = False
        if tag in ("caption", "th", "td", "table"):
            self.collecting = None

    def handle_data(self, data):
        if not self.inside or self.collecting is None:
            return
        table = self.tables[-1]
        if self.collecting == "caption":
            table["caption"] += data.strip()
        else:
            table["rows"][-1][0 if self.collecting == "label" else 1] += data.strip()


def figure_tables(html: str) -> list[dict]:
    parser = _Tables()
    parser.feed(html)
    return [
        {"caption": t["caption"], "rows": [tuple(r) for r in t["rows"]], "langs": t["langs"]}
        for t in parser.tables
    ]


def csv_tables(text: str) -> tuple[list[str], list[dict]]:
    """The CSV's period row and its tables (caption, rows with "Total" last)."""
    lines = list(csv.reader(io.StringIO(text)))
    tables, current = [], None
    for line in lines[1:]:
        if not line:
            current = None
        elif current is None and len(line) == 2:
            current = {"caption": line[0], "rows": []}
            tables.append(current)
        elif current is not None:
            current["rows"].append(tuple(line))
    return lines[0], tables


def staff_rows(language: str, keys, start=Q1[0], end=Q1[1]) -> list[list[tuple[str, str]]]:
    """The cells the staff report prints for the quarter, in ``language``: each table's rows
    and its total."""
    with translation.override(language):
        report = report_for(start, end)
        by_key = {table.key: table for table in every_table(report)}
        result = []
        for key in keys:
            table = by_key[key]
            rows = [(label, cell.text) for label, cell in table.rows]
            if table.total_cell is not None:
                rows.append((translation.gettext("Total"), table.total_cell.text))
            result.append(rows)
    return result


def publish(year=YEAR, quarter=1) -> PublishedQuarter:
    return PublishedQuarter.objects.create(year=year, quarter=quarter)


@pytest.fixture
def seeded_year(db):
    """A year of contacts: about fifty a month in the first quarter, fewer later (so that the
    year's check hides some figures), with concerns, who contacted and referrals."""
    rng = random.Random(19)
    counsellor = StaffFactory(role=Role.COUNSELLOR)
    entries = {(e.kind, e.code): e for e in ListEntry.objects.all()}
    services = [
        ServiceFactory(category=category)
        for category in (Service.Category.CHILD_WELFARE, Service.Category.YOUTH_SERVICES,
                         Service.Category.MENTAL_HEALTH)
    ]  # fmt: skip
    tz = timezone.get_current_timezone()
    languages = ["fi"] * 12 + ["sv", "en", "en", "ar", "ar", "so", "ru", "uk", "fa"]
    contacting = ["mother"] * 5 + ["father", "father", "school", "school", "friend", "unknown"]
    concerns = ["islamist"] * 4 + ["far_right", "far_right", "conspiracy", "racism"]
    for month in range(1, 13):
        for index in range(rng.randint(45, 60) if month <= 3 else rng.randint(6, 20)):
            started = timezone.make_aware(datetime(YEAR, month, rng.randint(1, 28), 12), tz)
            fields = {
                "started_at": started,
                "language": rng.choice(languages),
                "contacting": entries[("contacting", rng.choice(contacting))],
            }
            if index % 6 == 0:
                record = PhoneCallFactory(
                    counsellor=counsellor,
                    concerns=[entries[("concern", rng.choice(concerns))]],
                    **fields,
                )
            else:
                # Made directly, as in the reports' tests: past chats and messages without
                # their conversations.
                record = ContactRecord.objects.create(
                    channel=rng.choice(["phone", "chat", "chat", "message"]),
                    counsellor=counsellor,
                    **fields,
                )
                record.concerns.add(entries[("concern", rng.choice(concerns))])
            if rng.random() < 0.3:
                referral_record(
                    record=record, service=rng.choice(services), outcome="made", by=counsellor
                )


def test_every_language_shows_the_page_to_anyone_without_a_cookie(client):
    publish()
    for language in LANGUAGES:
        response = client.get(f"/{language}/statistics/")
        assert response.status_code == 200, language
        html = response.content.decode()
        assert f'<html lang="{language}"' in html
        assert response.cookies == {} and "Set-Cookie" not in response
        cache_control = response["Cache-Control"]
        assert "public" in cache_control and "max-age=" in cache_control
        assert "no-store" not in cache_control and "private" not in cache_control
        # The footer links to it from every public page.
        home = client.get(f"/{language}/").content.decode()
        assert f'href="/{language}/statistics/"' in home
        with translation.override(language):
            captions = [str(OPEN_TABLES[key]) for key in OPEN_TABLES]
        assert [t["caption"] for t in figure_tables(html)] == captions


def test_nothing_published_shows_an_empty_page(client):
    html = client.get("/en/statistics/").content.decode()
    assert "No figures have been published yet." in html
    assert figure_tables(html) == [] and "/csv/" not in html
    assert client.get(f"/en/statistics/{YEAR}/1/").status_code == 404


def test_only_published_quarters_that_have_ended_are_listed_and_shown(client):
    first = publish(quarter=1)
    publish(quarter=3)
    # A row for a quarter that has not ended (made here past the admin, which refuses it).
    future = timezone.localdate().year + 1
    PublishedQuarter.objects.create(year=future, quarter=1)
    html = client.get("/en/statistics/").content.decode()
    assert f'href="/en/statistics/{YEAR}/3/"' in html and f'href="/en/statistics/{YEAR}/1/"' in html
    assert html.index(f"/{YEAR}/3/") < html.index(f"/{YEAR}/1/")  # newest first
    assert f"/{future}/1/" not in html
    # Without a quarter in the address the page shows the newest.
    assert "Quarter 3 of 2025" in html.split("<h2>")[1]
    for path in (f"{YEAR}/2/", f"{future}/1/", f"{YEAR}/5/", f"{YEAR}/0/", "1999/1/"):
        assert client.get(f"/en/statistics/{path}").status_code == 404, path
        assert client.get(f"/en/statistics/{path}csv/").status_code == 404, path
    assert client.get(f"/en/statistics/{YEAR}/1/").status_code == 200
    assert client.get(f"/en/statistics/{YEAR}/1/csv/").status_code == 200

    first.delete()  # unpublished
    html = client.get("/en/statistics/").content.decode()
    assert f"/{YEAR}/1/" not in html
    assert client.get(f"/en/statistics/{YEAR}/1/").status_code == 404
    assert client.get(f"/en/statistics/{YEAR}/1/csv/").status_code == 404


def test_only_the_chosen_tables_appear(client, seeded_year):
    publish()
    choice = OpenStatistics.saved()
    choice.concern = choice.referral = False
    choice.save()
    html = client.get(f"/en/statistics/{YEAR}/1/").content.decode()
    captions = ["Contacts by channel", "Who contacted us", "Contacts by language"]
    assert [t["caption"] for t in figure_tables(html)] == captions
    _period, tables = csv_tables(client.get(f"/en/statistics/{YEAR}/1/csv/").content.decode())
    assert [t["caption"] for t in tables] == captions
    # Nothing of the tables never offered: their titles and rows are not on the page.
    with translation.override("en"):
        report = report_for(*Q1)
        titles = {t.key: t.title for t in every_table(report)}
    for key in STAFF_ONLY:
        assert titles[key] not in html
    assert "Risk level" not in html and "Imminent danger" not in html

    choice.channel = choice.contacting = choice.language = False
    choice.save()
    html = client.get(f"/en/statistics/{YEAR}/1/").content.decode()
    assert figure_tables(html) == [] and "No figures have been published yet." in html
    assert client.get(f"/en/statistics/{YEAR}/1/csv/").status_code == 404


@pytest.mark.parametrize("language", ["en", "fi", "sv", "ar", "so"])
def test_every_figure_is_the_staff_reports_cell_and_the_csv_the_page(client, seeded_year, language):
    publish()
    keys = list(OPEN_TABLES)
    expected = staff_rows(language, keys)
    # The quarter is checked with the other whole periods of its year: the page prints the
    # cells of year_reports, which report_for gives for a quarter too.
    with translation.override(language):
        year = year_reports(YEAR)[Q1]
        by_key = {t.key: t for t in every_table(year)}
        assert [[c.text for _l, c in by_key[k].rows] for k in keys] == [
            [text for _label, text in rows[: len(by_key[k].rows)]]
            for k, rows in zip(keys, expected, strict=True)
        ]
    html = client.get(f"/{language}/statistics/{YEAR}/1/").content.decode()
    page = figure_tables(html)
    assert [t["rows"] for t in page] == expected
    # Rounded and checked: no exact small count is printed, and the check hid something.
    texts = [text for rows in expected for _label, text in rows]
    assert all((t.isdigit() and int(t) % 5 == 0) or t in ("<5", HIDDEN) for t in texts)
    assert "<5" in texts and HIDDEN in texts
    # The hidden figure comes from the check across the year's periods: the quarter checked
    # alone (its own tables only) prints it. The page has the year's check.
    with translation.override(language):
        alone = {t.key: [c.text for c in t.cells] for t in every_table(_build(*Q1))}
    printed = [[text for _label, text in t["rows"][: len(alone[k])]] for k, t in zip(
        keys, page, strict=True)]  # fmt: skip
    assert [alone[k] for k in keys] != printed

    period, tables = csv_tables(
        client.get(f"/{language}/statistics/{YEAR}/1/csv/").content.decode()
    )
    assert period[1] == f"{Q1[0].isoformat()} - {Q1[1].isoformat()}"
    assert [(t["caption"], t["rows"]) for t in tables] == [(t["caption"], t["rows"]) for t in page]


def test_the_page_prints_the_cells_of_the_staff_csv(client, seeded_year):
    """Word for word the rows of the console's CSV download of the same quarter."""
    publish()
    with translation.override("en"):
        staff = report_csv(report_for(*Q1))
    staff_lines = [tuple(line) for line in csv.reader(io.StringIO(staff)) if len(line) == 2]
    _period, tables = csv_tables(client.get(f"/en/statistics/{YEAR}/1/csv/").content.decode())
    for table in tables:
        for row in table["rows"]:
            assert row in staff_lines, (table["caption"], row)
    csv_text = client.get(f"/en/statistics/{YEAR}/1/csv/").content.decode()
    assert not csv_text.startswith("\ufeff")  # as the staff CSV: UTF-8 without a BOM


def test_no_parameter_changes_a_figure(client, seeded_year):
    publish()
    plain = client.get(f"/en/statistics/{YEAR}/1/").content.decode()
    plain_csv = client.get(f"/en/statistics/{YEAR}/1/csv/").content
    for query in (
        {"start": "2025-01-01", "end": "2025-01-02"},
        {"period": "custom", "start": "2025-02-01", "end": "2025-03-30"},
        {"period": "month", "month": "1", "year": "2025", "quarter": "2"},
        {"table": "channel", "language": "fi", "tables": "risk_level"},
    ):
        page = client.get(f"/en/statistics/{YEAR}/1/", query).content.decode()
        assert figure_tables(page) == figure_tables(plain), query
        assert page.split("<main")[1] == plain.split("<main")[1], query
        assert client.get(f"/en/statistics/{YEAR}/1/csv/", query).content == plain_csv, query


def test_a_second_request_makes_no_report_and_a_new_quarter_shows_at_once(client, seeded_year):
    publish()
    first = client.get(f"/fi/statistics/{YEAR}/1/").content.decode()
    with CaptureQueriesContext(connection) as queries:
        second = client.get(f"/fi/statistics/{YEAR}/1/").content.decode()
        csv_response = client.get(f"/fi/statistics/{YEAR}/1/csv/")
    assert second == first and csv_response.status_code == 200
    made = [q["sql"] for q in queries if any(name in q["sql"] for name in REPORT_TABLES)]
    assert made == []
    assert len(queries) > 0  # the publication itself is read each time

    # Publishing another quarter is seen at once, without waiting for the cache.
    publish(quarter=2)
    html = client.get("/fi/statistics/").content.decode()
    assert f'href="/fi/statistics/{YEAR}/2/"' in html
    with translation.override("fi"):
        label = quarter_label(YEAR, 2)
    assert html.split("<h2>")[1].startswith(label)
    assert figure_tables(client.get(f"/fi/statistics/{YEAR}/2/").content.decode())
    # Choosing other tables, too.
    choice = OpenStatistics.saved()
    choice.language = False
    choice.save()
    html = client.get(f"/fi/statistics/{YEAR}/1/").content.decode()
    assert len(figure_tables(html)) == len(OPEN_TABLES) - 1


def test_list_entries_are_in_english_on_pages_in_other_languages(client, seeded_year):
    publish()
    mother = ListEntry.objects.get(kind="contacting", code="mother")
    html = client.get(f"/ar/statistics/{YEAR}/1/").content.decode()
    who = figure_tables(html)[list(OPEN_TABLES).index("contacting")]
    assert (mother.name_en, who["rows"][0][1]) == who["rows"][0]
    # Each English name is marked so (screen readers, the translation test); "Not recorded"
    # and the total are in the page's language.
    assert who["langs"][:-2] == ["en"] * (len(who["rows"]) - 2)
    assert who["langs"][-2:] == ["", ""]
    with translation.override("ar"):
        note = translation.gettext("The names of concerns and of who contacted us are in English.")
    assert note in html
    finnish = client.get(f"/fi/statistics/{YEAR}/1/").content.decode()
    who = figure_tables(finnish)[list(OPEN_TABLES).index("contacting")]
    assert who["rows"][0][0] == mother.name_fi and set(who["langs"]) == {""}
    with translation.override("fi"):
        note = translation.gettext("The names of concerns and of who contacted us are in English.")
    assert note not in finnish


def test_a_published_quarter_keeps_its_figures_when_records_change_later(client, seeded_year):
    """Published figures never move: a reader who saves the page every day learns nothing of
    a record completed or changed after publication (decision 0042)."""
    publish()
    before = client.get(f"/en/statistics/{YEAR}/1/").content.decode()
    before_csv = client.get(f"/en/statistics/{YEAR}/1/csv/").content
    staff_before = staff_rows("en", ["channel"])
    # Thirty more chats in the quarter, after publication.
    counsellor = StaffFactory(role=Role.COUNSELLOR)
    tz = timezone.get_current_timezone()
    for day in range(1, 31):
        ContactRecord.objects.create(
            channel="chat",
            counsellor=counsellor,
            started_at=timezone.make_aware(datetime(YEAR, 1, day, 12), tz),
            language="fi",
        )
    cache.clear()
    assert staff_rows("en", ["channel"]) != staff_before  # the staff report follows the records
    assert client.get(f"/en/statistics/{YEAR}/1/").content.decode() == before
    assert client.get(f"/en/statistics/{YEAR}/1/csv/").content == before_csv
    # Kept as printed texts, never as counts.
    kept = PublishedQuarter.objects.get().figures["tables"]
    texts = [row["text"] for table in kept.values() for row in table["rows"]]
    assert all((text.isdigit() and int(text) % 5 == 0) or text in ("<5", HIDDEN) for text in texts)


def test_a_list_changed_after_publication_leaves_the_quarter_as_published(client, seeded_year):
    """A concern added later is no row of the published quarter: its rows and labels stay
    those of the day it was published (in every language)."""
    publish()
    before = {
        language: figure_tables(client.get(f"/{language}/statistics/{YEAR}/1/").content.decode())
        for language in ("en", "ar")
    }
    ListEntry.objects.create(kind="concern", code="added_later", name_fi="Uusi", name_en="New")
    cache.clear()
    for language, tables in before.items():
        after = figure_tables(client.get(f"/{language}/statistics/{YEAR}/1/").content.decode())
        assert after == tables, language
    # The staff report has the new row.
    assert len(staff_rows("en", ["concern"])[0]) == len(before["en"][1]["rows"]) + 1


def test_the_quarter_links_carry_the_visits_campaign_code(client):
    """Statistics, then a quarter, then home: the partner's code is still there for a start."""
    publish()
    html = client.get("/fi/statistics/", {"c": "koulu"}).content.decode()
    assert f'href="/fi/statistics/{YEAR}/1/?c=koulu"' in html

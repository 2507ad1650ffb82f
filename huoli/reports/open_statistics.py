"""The public statistics page's figures: for a published quarter, the tables administrators
chose, each cell exactly the cell the staff report of that quarter prints
(``selectors.year_reports``: the quarter checked together with every whole period of its year,
decisions 0019 and 0037). Nothing else is asked for: no range, no parameter, so no two
requests differ by less than a whole quarter.

The year's reports are made once, in the default language (a cell does not depend on the
language), and each page shows their cells under its own language's labels, made by the same
code in the same order (``selectors.table_labels``). Both are cached: the figures per quarter
and chosen tables, the page per quarter, tables and language. The keys hold the time the
quarter was published, so publishing, unpublishing or choosing other tables is seen at once
(in every process: the publication is read from the database on each request); the figures
follow late changes to the records within ``CACHE_SECONDS``.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from huoli.reports.exports import open_csv
from huoli.reports.models import OPEN_TABLES, OpenStatistics, PublishedQuarter
from huoli.reports.selectors import Table, every_table, table_labels, year_reports
from huoli.reports.suppression import Cell, suppression_note

CACHE_SECONDS = 60 * 60


@dataclass
class OpenTable:
    key: str
    caption: str
    heading: str  # what the figures count, the figures' column heading
    table: Table  # the staff report's table: its labels, cells, total and note as printed
    # Per row: the language of its label where it is not the page's (a list entry's English
    # name on an Arabic page), else "".
    languages: list[str] = field(default_factory=list)

    @property
    def rows(self) -> list[tuple[str, Cell, str]]:
        return list(zip(self.table.labels, self.table.cells, self.languages, strict=True))


@dataclass
class OpenQuarter:
    year: int
    quarter: int
    start: date
    end: date
    language: str
    tables: list[OpenTable]

    @property
    def label(self) -> str:
        with translation.override(self.language):
            return quarter_label(self.year, self.quarter)

    @property
    def period(self) -> str:
        return f"{self.start.isoformat()} - {self.end.isoformat()}"

    @property
    def english_names(self) -> bool:
        """Whether some row is named in English on a page in another language."""
        return any("en" in table.languages for table in self.tables)

    def notes(self) -> list[str]:
        with translation.override(self.language):
            notes = [suppression_note()]
            if self.english_names:
                notes.append(english_names_note())
        return notes


def quarter_label(year: int, quarter: int) -> str:
    return _("Quarter %(quarter)s of %(year)s") % {"quarter": quarter, "year": year}


def english_names_note() -> str:
    return _("The names of concerns and of who contacted us are in English.")


def published_quarters(today: date | None = None) -> list[PublishedQuarter]:
    """The published quarters that have ended (all of them: a quarter is published only once
    it has ended), newest first."""
    today = today or timezone.localdate()
    return [q for q in PublishedQuarter.objects.order_by("-year", "-quarter") if q.has_ended(today)]


def open_tables() -> list[str]:
    """The keys of the tables the page shows, in its order."""
    return OpenStatistics.current().tables


def _stamp(published: PublishedQuarter, tables: list[str]) -> str:
    return (
        f"{published.year}-{published.quarter}:{published.published_at.isoformat()}:"
        f"{','.join(tables)}"
    )


def _figures(published: PublishedQuarter, tables: list[str]) -> dict[str, Table]:
    """The chosen tables of the quarter's staff report, made in the default language (the
    cells are the same in every language), from the cache or made with every other
    published quarter of its year: one ``year_reports`` for all of them."""
    key = f"open-statistics:figures:{_stamp(published, tables)}"
    found = cache.get(key)
    if found is not None:
        return found
    same_year = [q for q in published_quarters() if q.year == published.year]
    if all(q.pk != published.pk for q in same_year):
        same_year.append(published)
    made = {}
    with translation.override(settings.LANGUAGE_CODE):
        reports = year_reports(published.year)
        for quarter in same_year:
            report = reports[(quarter.start, quarter.end)]
            by_key = {table.key: table for table in every_table(report)}
            for table_key in tables:
                labels = [label for label, _lang in table_labels(table_key)]
                if labels != by_key[table_key].labels:  # never: the same code makes both
                    raise RuntimeError(f"the rows of {table_key} are not the report's")
            made[f"open-statistics:figures:{_stamp(quarter, tables)}"] = {
                table_key: by_key[table_key] for table_key in tables
            }
    cache.set_many(made, CACHE_SECONDS)
    return made[key]


def _open_table(key: str, table: Table) -> OpenTable:
    """The report's table under the active language's labels, caption and note: the same
    cells, rows in the same order (``selectors.table_labels``)."""
    rows = table_labels(key)
    shown = copy.copy(table)
    shown.labels = [label for label, _lang in rows]
    shown.title = str(OPEN_TABLES[key])
    shown.note = _("Several may apply to one contact.") if table.note else ""
    shown.unit = _("Referrals") if key == "referral" else _("Contacts")
    return OpenTable(key, shown.title, shown.unit, shown, [lang for _label, lang in rows])


def open_quarter(published: PublishedQuarter, tables: list[str], language: str) -> OpenQuarter:
    """The figures of a published quarter in ``language``: each cell the staff report's."""
    key = f"open-statistics:page:{_stamp(published, tables)}:{language}"
    found = cache.get(key)
    if found is not None:
        return found
    figures = _figures(published, tables)
    with translation.override(language):
        page = OpenQuarter(
            published.year,
            published.quarter,
            published.start,
            published.end,
            language,
            [_open_table(table_key, figures[table_key]) for table_key in tables],
        )
    cache.set(key, page, CACHE_SECONDS)
    return page


def quarter_csv(figures: OpenQuarter) -> str:
    """The page's tables as CSV: the same cells, captions and notes."""
    with translation.override(figures.language):
        return open_csv(
            figures.period,
            [(table.caption, table.heading, table.table) for table in figures.tables],
            figures.notes(),
        )

"""The public statistics page's figures: for a published quarter, the tables administrators
chose, each cell exactly the cell the staff report of that quarter prints
(``selectors.year_reports``: the quarter checked together with every whole period of its year,
decisions 0019 and 0037). Nothing else is asked for: no range, no parameter, so no two
requests differ by less than a whole quarter.

The figures are cached per quarter, language and chosen tables. The key also holds the time
the quarter was published, so publishing, unpublishing or choosing other tables is seen at
once (in every process: the publication is read from the database on each request); the
figures themselves follow late changes to the records within ``CACHE_SECONDS``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.core.cache import cache
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from huoli.contacts.models import ListEntry
from huoli.reports.exports import open_csv
from huoli.reports.models import OPEN_TABLES, OpenStatistics, PublishedQuarter
from huoli.reports.selectors import Table, every_table, year_reports
from huoli.reports.suppression import Cell, suppression_note

CACHE_SECONDS = 60 * 60
# Tables whose rows are list entries, kept in Finnish, Swedish and English only.
ENTRY_TABLES = ("concern", "contacting")


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


def _key(published: PublishedQuarter, tables: list[str], language: str) -> str:
    stamp = published.published_at.isoformat()
    return (
        f"open-statistics:{published.year}-{published.quarter}:{stamp}:{language}:"
        f"{','.join(tables)}"
    )


def _languages(key: str, table: Table, page_language: str) -> list[str]:
    """The language of each row's label where it differs from the page's."""
    languages = [""] * len(table.labels)
    if key not in ENTRY_TABLES:
        return languages
    entries = list(ListEntry.objects.filter(kind=key).order_by("position", "pk"))
    # The report lists every entry in this order, then "Not recorded" where the table has a
    # total (``selectors._entry_table``); anything else, and no row is marked.
    if [e.name for e in entries] != table.labels[: len(entries)]:
        return languages
    for index, entry in enumerate(entries):
        language = entry.name_language()
        languages[index] = "" if language == page_language else language
    return languages


def _open_quarter(report, published: PublishedQuarter, tables: list[str], language: str):
    by_key = {table.key: table for table in every_table(report)}
    shown = []
    for key in tables:
        table = by_key[key]
        heading = _("Referrals") if key == "referral" else table.unit
        shown.append(
            OpenTable(key, str(OPEN_TABLES[key]), heading, table, _languages(key, table, language))
        )
    return OpenQuarter(
        published.year, published.quarter, published.start, published.end, language, shown
    )


def open_quarter(published: PublishedQuarter, tables: list[str], language: str) -> OpenQuarter:
    """The figures of a published quarter in ``language``, from the cache or made with
    every other published quarter of its year (one ``year_reports`` for all of them)."""
    key = _key(published, tables, language)
    found = cache.get(key)
    if found is not None:
        return found
    same_year = [q for q in published_quarters() if q.year == published.year]
    if all(q.pk != published.pk for q in same_year):
        same_year.append(published)
    with translation.override(language):
        reports = year_reports(published.year)
        made = {
            _key(q, tables, language): _open_quarter(reports[(q.start, q.end)], q, tables, language)
            for q in same_year
        }
    cache.set_many(made, CACHE_SECONDS)
    return made[key]


def quarter_csv(figures: OpenQuarter) -> str:
    """The page's tables as CSV: the same cells, captions and notes."""
    with translation.override(figures.language):
        return open_csv(
            figures.period,
            [(table.caption, table.heading, table.table) for table in figures.tables],
            figures.notes(),
        )

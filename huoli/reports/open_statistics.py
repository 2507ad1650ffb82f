"""The public statistics page's figures: for a published quarter, the tables administrators
chose, each cell the text the staff report of that quarter printed on the day it was published
(``selectors.year_reports``: the quarter checked together with every whole period of its year,
decisions 0019 and 0037), kept with the publication (decision 0042). Nothing else is asked for:
no range, no parameter; and a published quarter never changes, so no two requests, on one day
or months apart, differ by a late change to one record.

``quarter_figures`` makes the texts once, in the default language (a cell does not depend on
the language), with each row's label in every visitor language (``selectors.table_labels``:
made by the same code in the same order). Only texts are kept ("<5", "40", the hidden mark), never a
count. Pages are cached per quarter, publication time, chosen tables and language; the
publication itself is read from the database on each request, so publishing, unpublishing or
choosing other tables is seen at once in every process.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from huoli.reports.exports import open_csv
from huoli.reports.models import OPEN_TABLES, OpenStatistics, PublishedQuarter, quarter_range
from huoli.reports.selectors import every_table, table_labels, year_reports
from huoli.reports.suppression import suppression_note

CACHE_SECONDS = 60 * 60


@dataclass
class OpenTable:
    key: str
    caption: str
    heading: str  # what the figures count, the figures' column heading
    # (label, printed text, the label's language where it is not the page's, else "").
    rows: list[tuple[str, str, str]]
    total: str | None  # the printed total, or None where several may apply to one contact
    note: str = ""


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
        return any(lang == "en" for table in self.tables for _label, _text, lang in table.rows)

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


def quarter_figures(year: int, quarter: int) -> dict:
    """What the public page of a quarter will print, as kept with its publication: for every
    table a page may show, each row's printed text with its label in every visitor language,
    the printed total and whether several may apply to one contact. The texts are the cells of
    the staff report of the quarter today (made with its year's other whole periods)."""
    start, end = quarter_range(year, quarter)
    with translation.override(settings.LANGUAGE_CODE):
        by_key = {table.key: table for table in every_table(year_reports(year)[(start, end)])}
    tables = {}
    for key in OPEN_TABLES:
        table = by_key[key]
        labels = {}
        for language, _name in settings.LANGUAGES:
            with translation.override(language):
                labels[language] = table_labels(key)
        with translation.override(settings.LANGUAGE_CODE):
            if [label for label, _lang in table_labels(key)] != table.labels:
                # Never: the same code makes both (a list changed in between: publish again).
                raise RuntimeError(f"the rows of {key} are not the report's")
        tables[key] = {
            "rows": [
                {
                    "text": cell.text,
                    "labels": {language: rows[i][0] for language, rows in labels.items()},
                    "languages": {
                        language: rows[i][1] for language, rows in labels.items() if rows[i][1]
                    },
                }
                for i, cell in enumerate(table.cells)
            ],
            "total": table.total_cell.text if table.total_cell is not None else None,
            "note": bool(table.note),
        }
    return {"tables": tables}


def _figures(published: PublishedQuarter) -> dict:
    """The quarter's figures as published; a row made without them (by hand, in a shell) gets
    today's, kept from now on."""
    if not published.figures:
        published.figures = quarter_figures(published.year, published.quarter)
        published.save(update_fields=["figures"])
    return published.figures


def _labels(key: str, kept: dict, language: str) -> list[tuple[str, str]]:
    """The rows' labels in ``language``, with each label's own language where it differs:
    looked up again while the table's rows are still those it was published with (a better
    translation shows at once), else as kept at publication (a list changed since)."""
    kept_default = [row["labels"].get(settings.LANGUAGE_CODE) for row in kept["rows"]]
    with translation.override(settings.LANGUAGE_CODE):
        same_rows = [label for label, _lang in table_labels(key)] == kept_default
    if same_rows:
        with translation.override(language):
            return table_labels(key)
    return [
        (row["labels"].get(language, ""), row["languages"].get(language, ""))
        for row in kept["rows"]
    ]


def _open_table(key: str, kept: dict, language: str) -> OpenTable:
    """A kept table under the active language's labels, caption and note."""
    labels = _labels(key, kept, language)
    return OpenTable(
        key,
        str(OPEN_TABLES[key]),
        _("Referrals") if key == "referral" else _("Contacts"),
        [
            (label, row["text"], lang)
            for (label, lang), row in zip(labels, kept["rows"], strict=True)
        ],
        kept["total"],
        _("Several may apply to one contact.") if kept["note"] else "",
    )


def open_quarter(published: PublishedQuarter, tables: list[str], language: str) -> OpenQuarter:
    """The figures of a published quarter in ``language``, as published."""
    key = f"open-statistics:page:{_stamp(published, tables)}:{language}"
    found = cache.get(key)
    if found is not None:
        return found
    kept = _figures(published)["tables"]
    with translation.override(language):
        page = OpenQuarter(
            published.year,
            published.quarter,
            published.start,
            published.end,
            language,
            [_open_table(table_key, kept[table_key], language) for table_key in tables],
        )
    cache.set(key, page, CACHE_SECONDS)
    return page


def quarter_csv(figures: OpenQuarter) -> str:
    """The page's tables as CSV: the same texts, captions and notes."""
    with translation.override(figures.language):
        return open_csv(
            figures.period,
            [
                (
                    table.caption,
                    table.heading,
                    [(label, text) for label, text, _lang in table.rows],
                    table.total,
                )
                for table in figures.tables
            ],
            figures.notes(),
        )

"""The statistics as files: CSV and XLSX of every table, and a printable PDF report (fi, sv
or en) with the charts. All of them show the cells of ``suppression`` and nothing else."""

from __future__ import annotations

import csv
import io

import xlsxwriter
from django.utils import formats, translation
from django.utils.translation import gettext as _
from fpdf import FPDF

from huoli.core.spreadsheet import neutralised_row
from huoli.reports.selectors import Report, Table, every_table
from huoli.reports.suppression import suppression_note


def _header(report: Report) -> list[list[str]]:
    return [
        [_("Period"), f"{report.start.isoformat()} - {report.end.isoformat()}"],
        [_("Contacts"), report.contacts.text],
        [_("New cases"), report.new_cases.text],
    ]


def _table_rows(table: Table) -> list[list[str]]:
    rows = [[label, cell.text] for label, cell in table.rows]
    if table.total_cell is not None:
        rows.append([_("Total"), table.total_cell.text])
    return rows


class _Writer:
    """``csv.writer`` whose cells a spreadsheet never runs as formulas (list entries'
    names are typed by administrators)."""

    def __init__(self, writer):
        self.writer = writer

    def writerow(self, row):
        self.writer.writerow(neutralised_row(row))

    def writerows(self, rows):
        for row in rows:
            self.writerow(row)


def report_csv(report: Report, only: str = "") -> str:
    """Every table, or only the one whose key is ``only``."""
    out = io.StringIO()
    writer = _Writer(csv.writer(out))
    writer.writerows(_header(report))
    for table in every_table(report):
        if only and table.key != only:
            continue
        writer.writerow([])
        writer.writerow([table.title, table.unit])
        writer.writerows(_table_rows(table))
    if not only:
        writer.writerow([])
        writer.writerow([_("Chat service levels"), ""])
        writer.writerows([[label, str(value)] for label, value in report.service_levels])
        writer.writerow([])
        writer.writerow([_("Calls"), ""])
        writer.writerows([[label, str(value)] for label, value in report.call_levels])
    return out.getvalue()


def open_csv(
    period: str, tables: list[tuple[str, str, list[tuple[str, str]], str | None]], notes: list[str]
) -> str:
    """The public statistics page as CSV: for each (caption, column heading, rows of (label,
    printed text), printed total or None) the rows as ``report_csv`` writes them ("Total"
    last), then the page's notes."""
    out = io.StringIO()
    writer = _Writer(csv.writer(out))
    writer.writerow([_("Period"), period])
    for caption, heading, rows, total in tables:
        writer.writerow([])
        writer.writerow([caption, heading])
        writer.writerows([[label, text] for label, text in rows])
        if total is not None:
            writer.writerow([_("Total"), total])
    if notes:
        writer.writerow([])
        writer.writerows([[note] for note in notes])
    return out.getvalue()


def _write(sheet, row: int, values: list, style=None) -> None:
    """A printed number as a number (a spreadsheet sums and charts it); "<5", the hidden
    mark and every other text as text."""
    for column, value in enumerate(values):
        text = str(value)
        if text.isdigit():
            sheet.write_number(row, column, int(text), style)
        else:
            sheet.write_string(row, column, text, style)


def report_xlsx(report: Report) -> bytes:
    """One sheet for the summary, one per table. Printed counts are numbers; "<5" and the
    hidden mark stay texts."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_formulas": False})
    bold = book.add_format({"bold": True})
    summary = book.add_worksheet(_("Summary")[:31])
    for row, values in enumerate(
        _header(report)
        + [[""]]
        + [list(s) for s in report.service_levels]
        + [[""], [_("Calls")]]
        + [list(s) for s in report.call_levels]
    ):
        _write(summary, row, values)
    summary.set_column(0, 0, 40)
    used = set()
    for table in every_table(report):
        name = table.title[:31]
        while name in used:
            name = name[:29] + str(len(used))
        used.add(name)
        sheet = book.add_worksheet(name.replace("?", "").replace("/", "-"))
        sheet.write_row(0, 0, [table.title, table.unit], bold)
        for row, values in enumerate(_table_rows(table), start=1):
            _write(sheet, row, values)
        sheet.set_column(0, 0, 45)
    book.close()
    return out.getvalue()


def _latin(text: str) -> str:
    """The PDF uses the built-in fonts (no font files to ship); they cover Finnish and
    Swedish. Other characters fall back to a close one."""
    replacements = {"\u2013": "-", "\u2014": "-", "\u2026": "...", "\u00b7": "-"}
    replaced = "".join(replacements.get(ch, ch) for ch in text)
    return replaced.encode("latin-1", "replace").decode("latin-1")


LABEL_WIDTH = 75  # mm


class _ReportPDF(FPDF):
    def __init__(self, title: str):
        super().__init__(format="A4")
        self.report_title = title
        self.set_auto_page_break(auto=True, margin=15)

    def footer(self):
        self.set_y(-12)
        self.set_font("Helvetica", size=8)
        self.cell(0, 6, _latin(f"{self.report_title} - {self.page_no()}"), align="C")


def _pdf_table(pdf: FPDF, table: Table) -> None:
    rows = table.rows
    needed = 12 + 6 * (len(rows) + 1)
    if pdf.get_y() + needed > pdf.h - 20:
        pdf.add_page()
    pdf.set_font("Helvetica", "B", 11)
    pdf.cell(0, 8, _latin(table.title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=9)
    for label, cell in rows:
        # A long label wraps whole words onto more lines; the figure and the bar stay on
        # its first line.
        lines = pdf.multi_cell(LABEL_WIDTH, 5, _latin(label), dry_run=True, output="LINES")
        if pdf.get_y() + 6 + 5 * (len(lines) - 1) > pdf.page_break_trigger:
            pdf.add_page()
        x, y = pdf.get_x(), pdf.get_y()
        pdf.multi_cell(LABEL_WIDTH, 5, _latin(label), new_x="LMARGIN", new_y="NEXT")
        bottom = pdf.get_y()
        pdf.set_xy(x + LABEL_WIDTH, y)
        pdf.cell(18, 5, _latin(cell.text), align="R")
        if share := table.bar_share(cell):
            pdf.set_fill_color(45, 95, 138)
            pdf.rect(pdf.l_margin + 97, y + 0.7, 80 * share, 3.6, style="F")
        pdf.set_xy(pdf.l_margin, max(bottom, y + 5) + 1)
    if table.total_cell is not None:
        pdf.set_font("Helvetica", "B", 9)
        pdf.cell(LABEL_WIDTH, 6, _latin(_("Total")))
        pdf.cell(18, 6, _latin(table.total_cell.text), align="R", new_x="LMARGIN", new_y="NEXT")
    if table.note:
        pdf.set_font("Helvetica", "I", 8)
        pdf.cell(0, 5, _latin(table.note), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)


def _pdf_levels(pdf: FPDF, title: str, levels: list[tuple[str, str]]) -> None:
    pdf.set_font("Helvetica", "B", 11)
    pdf.cell(0, 8, _latin(title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=9)
    for label, value in levels:
        x, y = pdf.get_x(), pdf.get_y()
        pdf.multi_cell(LABEL_WIDTH, 6, _latin(label), new_x="LMARGIN", new_y="NEXT")
        bottom = pdf.get_y()
        pdf.set_xy(x + LABEL_WIDTH, y)
        pdf.cell(0, 6, _latin(str(value)))
        pdf.set_xy(pdf.l_margin, max(bottom, y + 6))
    pdf.ln(3)


def report_pdf(report: Report, language: str) -> bytes:
    with translation.override(language):
        title = _("Huoli statistics %(start)s - %(end)s") % {
            "start": formats.date_format(report.start, "SHORT_DATE_FORMAT"),
            "end": formats.date_format(report.end, "SHORT_DATE_FORMAT"),
        }
        pdf = _ReportPDF(_latin(title))
        pdf.set_title(_latin(title))
        pdf.add_page()
        pdf.set_font("Helvetica", "B", 16)
        pdf.multi_cell(0, 9, _latin(title), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", size=10)
        for label, value in _header(report)[1:]:
            pdf.cell(60, 7, _latin(label))
            pdf.cell(0, 7, _latin(value), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", "I", 8)
        pdf.multi_cell(
            0,
            5,
            _latin(suppression_note()),
            new_x="LMARGIN",
            new_y="NEXT",
        )
        pdf.ln(3)
        _pdf_levels(pdf, _("Chat service levels"), report.service_levels)
        _pdf_levels(pdf, _("Calls"), report.call_levels)
        for table in every_table(report):
            _pdf_table(pdf, table)
        return bytes(pdf.output())

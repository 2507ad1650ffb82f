"""Bar charts drawn on the server as SVG (no chart library, nothing from outside). A hidden
count gets no bar at all, so a bar's length never tells what the table hides."""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from huoli.reports.selectors import Table

BAR_HEIGHT = 18
GAP = 6
LABEL_WIDTH = 230
BAR_WIDTH = 300


def bar_chart(table: Table) -> SafeString:
    rows = table.rows
    height = len(rows) * (BAR_HEIGHT + GAP) + GAP
    width = LABEL_WIDTH + BAR_WIDTH + 60
    parts = [
        f'<svg class="chart" role="img" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(table.title)}</title>",
    ]
    for index, (label, cell) in enumerate(rows):
        y = GAP + index * (BAR_HEIGHT + GAP)
        text_y = y + BAR_HEIGHT - 5
        short = label if len(label) <= 34 else label[:33] + "…"
        parts.append(
            f'<text x="{LABEL_WIDTH - 8}" y="{text_y}" text-anchor="end" '
            f'font-size="12" fill="#1d2330">{escape(short)}</text>'
        )
        length = round(BAR_WIDTH * table.bar_share(cell))
        if length:
            parts.append(
                f'<rect x="{LABEL_WIDTH}" y="{y}" width="{length}" height="{BAR_HEIGHT}" '
                f'fill="#2d5f8a"/>'
            )
        parts.append(
            f'<text x="{LABEL_WIDTH + length + 6}" y="{text_y}" font-size="12" '
            f'fill="#1d2330">{escape(cell.text)}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped

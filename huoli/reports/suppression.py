"""Small-cell suppression: no count from 1 to k-1 is ever shown, and nothing is shown that
would let one be worked out.

Rules, applied to every table (dashboard, CSV, XLSX and PDF all take cells from here):
1. A count from 1 to k-1 shows as "<k" (primary suppression). Zero shows as 0.
2. When a table hides exactly one count, its total would reveal it (total minus the visible
   counts), and so would the contacts total at the top of the report for tables whose rows
   add up to it. So the table's total is hidden, and the smallest other non-zero count is
   hidden too (complementary suppression), shown as a multiplication sign.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

HIDDEN_COMPLEMENT = "×"  # noqa: RUF001


@dataclass(frozen=True)
class Cell:
    value: int
    text: str
    hidden: bool = False

    def __str__(self) -> str:
        return self.text


def small(k: int | None = None) -> int:
    return k if k is not None else settings.HUOLI_SMALL_COUNT


def count_cell(value: int, k: int | None = None) -> Cell:
    k = small(k)
    if 0 < value < k:
        return Cell(value, f"<{k}", True)
    return Cell(value, str(value))


def suppress_table(values: list[int], total: int | None, k: int | None = None):
    """Cells for ``values`` and for ``total`` (None when the table has no total)."""
    k = small(k)
    cells = [count_cell(value, k) for value in values]
    total_cell = count_cell(total, k) if total is not None else None
    if sum(cell.hidden for cell in cells) == 1:
        others = [(v, i) for i, (v, c) in enumerate(zip(values, cells, strict=True))
                  if not c.hidden and v > 0]  # fmt: skip
        if others:
            _value, index = min(others)
            cells[index] = Cell(values[index], HIDDEN_COMPLEMENT, True)
        if total_cell is not None:
            total_cell = Cell(total, HIDDEN_COMPLEMENT, True)
    return cells, total_cell


def suppression_note() -> str:
    """The sentence every report shows under its figures."""
    from django.utils.translation import gettext as _

    k = small()
    return _(
        "Counts from 1 to %(below)s show as <%(k)s. Where a total would reveal such a count, "
        "the total and the next smallest count are hidden too (%(mark)s)."
    ) % {"below": k - 1, "k": k, "mark": HIDDEN_COMPLEMENT}

"""Disclosure control: no figure, and no sum or difference of figures an analyst can ask
for, tells a count from 1 to k-1 (decision 0019).

Rules, applied to every count (dashboard, CSV, XLSX and PDF all take cells from here):
1. Rounding. Zero shows as 0; a count from 1 to k-1 shows as "<k"; a larger count is rounded
   to the nearest multiple of k (k = ``HUOLI_SMALL_COUNT``, default 5). The same count always
   gives the same text, so two reports never differ by a small amount that is not also
   uncertain: the difference of two rounded figures is known only to within 2k-1.
2. Interval check. A reader who knows rule 1 can tell from each text a range of values
   (``Cell.low``..``Cell.high``). A table's rows add up to its total, and the rows of every
   breakdown of contacts add up to the contacts figure; from these sums alone a hidden count
   could still be pinned (7 contacts = 5 phone calls + a hidden chat + a hidden message pins
   both at 1). ``protect`` works out every row's possible values from the published ranges
   and the sums, and while some count from 1 to k-1 is pinned it hides the table's largest
   shown count (shown as a multiplication sign), and in the end the whole table.
3. Periods. Analysts choose only whole months, quarters and years (``forms.RangeForm``);
   custom ranges are for supervisors and administrators, who see the records anyway.
4. One year together (decision 0037). The 17 whole periods of a year go through
   ``protect_figures`` at once: a count printed in several reports is one figure (hidden
   everywhere or nowhere), and the check knows that a quarter is the sum of its months and
   the year of its quarters, in every row.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.conf import settings

HIDDEN_COMPLEMENT = "×"  # noqa: RUF001
UNBOUNDED = math.inf


@dataclass(frozen=True)
class Cell:
    value: int
    text: str
    hidden: bool = False
    # What a reader can tell from ``text``: the value lies in low..high.
    low: float = 0
    high: float = UNBOUNDED

    def __str__(self) -> str:
        return self.text

    @property
    def shown(self) -> int | None:
        """The number printed, or None when the text is not a number."""
        return int(self.text) if self.text.isdigit() else None


def small(k: int | None = None) -> int:
    return k if k is not None else settings.HUOLI_SMALL_COUNT


def rounded(value: int, k: int) -> int:
    """``value`` to the nearest multiple of k, halves up (only for value >= k)."""
    return k * math.floor(value / k + 0.5)


def rounding_range(shown: int, k: int) -> tuple[int, int]:
    """Every count at or above k that rounds to ``shown``."""
    return max(k, math.ceil(shown - k / 2)), math.ceil(shown + k / 2) - 1


def count_cell(value: int, k: int | None = None) -> Cell:
    k = small(k)
    if value < k:
        # Zero too: a published "0" would tell that a "<k" beside it, or the same row of
        # another period, holds at least one, and sums across periods could then pin it.
        return Cell(value, f"<{k}", True, low=0, high=k - 1)
    shown = rounded(value, k)
    low, high = rounding_range(shown, k)
    return Cell(value, str(shown), low=low, high=high)


def _hide(cell: Cell, low: float) -> Cell:
    return Cell(cell.value, HIDDEN_COMPLEMENT, True, low=low, high=UNBOUNDED)


def _bounds(rows: list[list[float]], total: list[float]) -> bool:
    """Narrow the rows' and the total's ranges by ``sum(rows) == total``; True if changed."""
    changed = False
    low_sum = sum(low for low, _high in rows)
    high_sum = sum(high for _low, high in rows)
    if low_sum > total[0] or high_sum < total[1]:
        total[0], total[1] = max(total[0], low_sum), min(total[1], high_sum)
        changed = True
    for row in rows:
        low = total[0] - (high_sum - row[1])
        high = total[1] - (low_sum - row[0])
        if low > row[0] or high < row[1]:
            row[0], row[1] = max(row[0], low), min(row[1], high)
            changed = True
    return changed


def pinned(tables: list[list[Cell]], totals: list[Cell | None], k: int) -> list[int]:
    """Indexes of the tables in which some count from 1 to k-1 can be worked out exactly.
    ``totals[i]`` is what table i adds up to; the same Cell object for tables that add up to
    the same number (the contacts figure), which then ties them together."""
    ranges = [[[cell.low, cell.high] for cell in cells] for cells in tables]
    shared: dict[int, list[float]] = {}
    for total in totals:
        if total is not None and id(total) not in shared:
            shared[id(total)] = [total.low, total.high]
    for _round in range(50):
        changed = False
        for rows, total in zip(ranges, totals, strict=True):
            if total is not None and rows:
                changed |= _bounds(rows, shared[id(total)])
        if not changed:
            break
    return [
        index
        for index, rows in enumerate(ranges)
        if any(low == high and 1 <= low < k for low, high in rows)
    ]


def protect(tables: list[list[Cell]], totals: list[Cell | None], k: int | None = None):
    """Hide shown counts until no small count can be worked out from the others and the
    totals: each time the largest shown count of a table where one can (its reader then
    knows only that it is at least k and at least every other count shown), and when none is
    left, every count of that table. Changes ``tables`` in place."""
    k = small(k)
    while found := pinned(tables, totals, k):
        cells = tables[found[0]]
        shown = [i for i, cell in enumerate(cells) if cell.shown]
        if not shown:
            cells[:] = [_hide(cell, 0) for cell in cells]
            totals[found[0]] = None
            continue
        largest = max(shown, key=lambda i: (cells[i].value, -i))
        floor = max([k, *(cells[i].low for i in shown if i != largest)])
        cells[largest] = _hide(cells[largest], floor)
    return tables


def suppress_table(values: list[int], total: int | None, k: int | None = None):
    """Cells for ``values`` and for ``total`` (None when the table has no total)."""
    k = small(k)
    cells = [count_cell(value, k) for value in values]
    total_cell = count_cell(total, k) if total is not None else None
    protect([cells], [total_cell], k)
    return cells, total_cell


def suppression_note() -> str:
    """The sentence every report shows under its figures."""
    from django.utils.translation import gettext as _

    k = small()
    return _(
        "Counts are rounded to the nearest %(k)s; counts from 0 to %(below)s show as "
        "<%(k)s. Where the figures would still reveal such a count, more are hidden "
        "(%(mark)s)."
    ) % {"below": k - 1, "k": k, "mark": HIDDEN_COMPLEMENT}


def _narrow(ranges: dict, total, parts: list) -> list:
    """Narrow by ``ranges[total] == sum(ranges[p] for p in parts)``; the keys changed."""
    rows = [ranges[p] for p in parts]
    whole = ranges[total]
    low_sum = sum(row[0] for row in rows)
    high_sum = sum(row[1] for row in rows)
    changed = []
    if low_sum > whole[0] or high_sum < whole[1]:
        whole[0], whole[1] = max(whole[0], low_sum), min(whole[1], high_sum)
        changed.append(total)
    for key, row in zip(parts, rows, strict=True):
        low = whole[0] - (high_sum - row[1])
        high = whole[1] - (low_sum - row[0])
        if low > row[0] or high < row[1]:
            row[0], row[1] = max(row[0], low), min(row[1], high)
            changed.append(key)
    return changed


def pinned_figures(cells: dict, sums: list[tuple], k: int) -> list:
    """Keys of the figures from 1 to k-1 that the printed texts and the ``sums`` (a total's
    key and its parts' keys) together tell exactly."""
    ranges = {key: [cell.low, cell.high] for key, cell in cells.items()}
    touching: dict = {}
    for index, (total, parts) in enumerate(sums):
        for key in (total, *parts):
            touching.setdefault(key, []).append(index)
    queue = list(range(len(sums)))
    waiting = set(queue)
    steps = 0
    while queue and steps < 200 * max(len(sums), 1):
        steps += 1
        index = queue.pop()
        waiting.discard(index)
        total, parts = sums[index]
        for key in _narrow(ranges, total, parts):
            for other in touching[key]:
                if other not in waiting:
                    waiting.add(other)
                    queue.append(other)
    return [key for key, (low, high) in ranges.items() if low == high and 1 <= low < k]


def protect_figures(cells: dict, sums: list[tuple], k: int | None = None) -> dict:
    """``protect`` for many reports at once: ``cells`` maps a key to a figure's cell (one key
    for one figure, however many times and in however many reports it is printed) and
    ``sums`` lists every sum a reader knows, within a report and between reports (a quarter
    is the sum of its months). While some count from 1 to k-1 is pinned, the largest shown
    figure in a sum with it is hidden (then in a sum with those, and so on). A hidden figure
    is read as "k or more". Returns the new cells."""
    k = small(k)
    cells = dict(cells)
    neighbours: dict = {}
    for total, parts in sums:
        group = (total, *parts)
        for key in group:
            neighbours.setdefault(key, set()).update(group)
    order = {key: index for index, key in enumerate(cells)}
    for _round in range(len(cells) + 1):
        found = pinned_figures(cells, sums, k)
        if not found:
            break
        hidden_now: set = set()
        for key in found:
            seen, level = {key}, [key]
            while level:
                around = sorted(
                    {n for key_ in level for n in neighbours.get(key_, ())} - seen,
                    key=order.__getitem__,
                )
                if hidden_now & set(around):
                    break
                shown = [n for n in around if cells[n].shown]
                if shown:
                    best = max(shown, key=lambda n: (cells[n].value, -order[n]))
                    cells[best] = Cell(cells[best].value, HIDDEN_COMPLEMENT, True, low=k)
                    hidden_now.add(best)
                    break
                seen.update(around)
                level = around
        if not hidden_now:
            # Nothing shown is left around a pinned count (not met in practice): hide every
            # figure of its sums that still tells a lower bound.
            for key in found:
                for n in neighbours.get(key, ()):
                    cells[n] = Cell(cells[n].value, HIDDEN_COMPLEMENT, True, low=0)
    return cells

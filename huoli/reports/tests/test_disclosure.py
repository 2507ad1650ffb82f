"""Disclosure control tested as an attacker (decision 0019).

A seeded year of contact records; an analyst asks for every report the console lets them ask
for and reads the statistics CSV (the dashboard, XLSX and PDF print the same cells). From each
report alone (rows add up to their total, breakdowns of contacts to the contacts figure) and
from each pair of nested reports (the difference of two periods is a period too), the
attacker works out the range of every count. The test fails if some count from 1 to k-1 — in
the end, one contact and its channel, language, stage… — is pinned exactly.

The attacker is written here, apart from ``suppression``: it knows the published rule only by
what it sees (are all counts of k and more multiples of k? then they are rounded).
"""

from __future__ import annotations

import calendar
import csv
import io
import math
import random
from datetime import date, datetime, timedelta

import pytest
from django.conf import settings
from django.utils import timezone, translation

from huoli.accounts.tests.factories import StaffFactory
from huoli.contacts.models import ContactRecord, ListEntry
from huoli.core.roles import Role
from huoli.reports.exports import report_csv
from huoli.reports.selectors import report_for

pytestmark = pytest.mark.django_db

YEAR = 2025
HIDDEN = "×"  # noqa: RUF001
# Tables whose rows add up to the contacts figure (English titles of the CSV).
OF_CONTACTS = {
    "Channel", "Language", "Type of contact", "Who is contacting", "Stage", "Risk level",
    "How they heard about us", "Municipality", "Contacts by week", "Contacts by month",
}  # fmt: skip
# Tables with their own total; the rest (concerns, actions) have none.
OWN_TOTAL = {"Referrals by service category", "Interpreter used, by language",
             "Was this conversation helpful?"}  # fmt: skip

WEIGHTS = {
    "channel": {"phone": 70, "chat": 20, "message": 10},
    "language": {"fi": 60, "sv": 5, "en": 8, "ar": 10, "so": 5, "ru": 5, "fa": 3, "uk": 2},
    "contact_type": {"about_someone": 70, "about_oneself": 5, "information": 15,
                     "non_counselling": 10},
    "contacting": {"mother": 30, "father": 10, "sibling": 4, "school": 20, "friend": 4,
                   "self": 5, "unknown": 6},
    "stage": {"change": 55, "joined": 20, "planning_travel": 8, "travelled": 5, "returned": 5},
    "risk_level": {0: 15, 1: 35, 2: 30, 3: 17, 4: 3},
    "heard_from": {"internet": 30, "city": 15, "school": 15, "police": 5, "media": 5},
    "municipality": {"helsinki": 60, "espoo": 15, "vantaa": 15, "kauniainen": 1, "other": 9},
    "concern": {"islamist": 42, "far_right": 12, "information": 15, "violence": 8},
}  # fmt: skip


@pytest.fixture
def seeded_year(db):
    """About 45 contacts a month with docs/domain.md's shares; in March every contact is from
    Helsinki except four from Kauniainen and four from elsewhere (two hidden cells that add
    up to 8 beside a shown total: both must be 4). December is quiet: seven contacts, five
    of them phone calls (rounded, 5 + <5 + <5 = 5 would pin both hidden ones at 1)."""
    rng = random.Random(13)
    counsellor = StaffFactory(role=Role.COUNSELLOR)
    entries = {(e.kind, e.code): e for e in ListEntry.objects.all()}
    tz = timezone.get_current_timezone()

    def pick(name):
        weights = WEIGHTS[name]
        return rng.choices(list(weights), list(weights.values()))[0]

    march_places = ["kauniainen"] * 4 + ["other"] * 4
    december_channels = ["phone"] * 5 + ["chat", "message"]
    for month in range(1, 13):
        days = calendar.monthrange(YEAR, month)[1]
        for _i in range(rng.randint(35, 55) if month < 12 else len(december_channels)):
            day = rng.randint(1, days)
            started = timezone.make_aware(datetime(YEAR, month, day, rng.randint(8, 20)), tz)
            municipality = pick("municipality")
            if month == 3:
                municipality = march_places.pop() if march_places else "helsinki"
            channel = pick("channel")
            if month == 12:
                channel = december_channels.pop()
            # Made directly: a year of past contacts of every channel without their
            # conversations, and risk level 4 without the escalations the service would open.
            record = ContactRecord.objects.create(
                channel=channel,
                language=pick("language"),
                counsellor=counsellor,
                started_at=started,
                contact_type=entries[("contact_type", pick("contact_type"))],
                contacting=entries[("contacting", pick("contacting"))],
                stage=entries[("stage", pick("stage"))],
                risk_level=pick("risk_level"),
                heard_from=entries[("heard_from", pick("heard_from"))],
                municipality=entries[("municipality", municipality)],
            )
            record.concerns.add(entries[("concern", pick("concern"))])


def requestable_periods(client, logged_in) -> list[tuple[date, date]]:
    """Every period an analyst can ask the console for in YEAR: the whole periods, and if
    the console takes a custom range from an analyst, every range from 1 January to each day
    (all custom ranges cannot be listed; these suffice to difference one day)."""
    logged_in(Role.ANALYST)
    periods = [(date(YEAR, 1, 1), date(YEAR, 12, 31))]
    for quarter in range(4):
        last = 3 * quarter + 3
        periods.append(
            (date(YEAR, last - 2, 1), date(YEAR, last, calendar.monthrange(YEAR, last)[1]))
        )
    for month in range(1, 13):
        periods.append(
            (date(YEAR, month, 1), date(YEAR, month, calendar.monthrange(YEAR, month)[1]))
        )
    custom = client.get(
        "/console/reports/",
        {"period": "custom", "start": f"{YEAR}-03-01", "end": f"{YEAR}-03-02"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert custom.status_code == 200
    if 'data-figure="contacts"' in custom.content.decode():
        first = date(YEAR, 1, 1)
        periods += [(first, first + timedelta(days=n)) for n in range(365)]
    return periods


def published(start: date, end: date) -> tuple[str, dict[str, dict[str, str]]]:
    """The contacts figure and every table of the report's CSV download, as text."""
    with translation.override("en"):
        lines = list(csv.reader(io.StringIO(report_csv(report_for(start, end)))))
    contacts = next(row[1] for row in lines if row[:1] == ["Contacts"])
    tables: dict[str, dict[str, str]] = {}
    current = None
    for row in lines:
        if not row:
            current = None
        elif current is None and len(row) == 2 and row[1] == "Contacts":
            current = tables.setdefault(row[0], {})
        elif current is not None:
            current[row[0]] = row[1]
    return contacts, tables


def shows_a_zero(reports) -> bool:
    return any(
        text == "0"
        for contacts, tables in reports
        for text in [contacts, *(t for rows in tables.values() for t in rows.values())]
    )


class Attacker:
    def __init__(self, k: int, rounded: bool, zero_shown: bool = True):
        # The attacker knows the published rule: whether "<k" may hide a zero is seen from
        # whether any report ever shows a "0".
        self.k, self.rounded, self.zero_shown = k, rounded, zero_shown

    def reading(self, text: str, others: list[str]) -> list[float]:
        """What ``text`` tells of a count: its smallest and largest possible value."""
        k = self.k
        if text == "0":
            return [0, 0]
        if text == f"<{k}":
            return [1 if self.zero_shown else 0, k - 1]
        if text == HIDDEN:
            if all(other == HIDDEN for other in others):
                return [0, math.inf]
            # A hidden row is at least k and at least every shown row (it is the largest).
            return [max([k, *(self.reading(o, [])[0] for o in others if o.isdigit())]), math.inf]
        shown = int(text)
        if not self.rounded:
            return [shown, shown]
        values = [v for v in range(k, shown + k + 1) if k * math.floor(v / k + 0.5) == shown]
        return [min(values), max(values)]

    def solve(self, contacts: list[float], tables: dict[str, dict[str, list[float]]]):
        """Narrow every range by the sums until nothing changes (interval propagation)."""
        n = list(contacts)
        totals = {title: rows.pop("Total", None) for title, rows in tables.items()}
        for _round in range(100):
            changed = False
            for title, rows in tables.items():
                if title in OF_CONTACTS:
                    total = n
                    if totals[title] is not None:
                        before = list(n)
                        n[0], n[1] = max(n[0], totals[title][0]), min(n[1], totals[title][1])
                        changed |= n != before
                elif title in OWN_TOTAL and totals[title] is not None:
                    total = totals[title]
                else:
                    continue
                changed |= narrow(list(rows.values()), total)
            if not changed:
                break
        for title, total in totals.items():
            if total is not None:
                tables[title]["Total"] = list(n) if title in OF_CONTACTS else total
        return n, tables

    def report(self, contacts: str, tables: dict[str, dict[str, str]]):
        ranges = {}
        for title, rows in tables.items():
            texts = {label: text for label, text in rows.items() if label != "Total"}
            ranges[title] = {
                label: self.reading(text, [t for lb, t in texts.items() if lb != label])
                for label, text in rows.items()
            }
        return self.solve(self.reading(contacts, []), ranges)

    def difference(self, outer, inner):
        """Ranges of the counts of the days in ``outer`` and not in ``inner``."""
        (n_outer, outer_tables), (n_inner, inner_tables) = outer, inner
        tables = {}
        for title, rows in outer_tables.items():
            inside = inner_tables.get(title, {})
            tables[title] = {}
            for label, (low, high) in rows.items():
                in_low, in_high = inside.get(label, [0, 0])
                tables[title][label] = [max(0, low - in_high), high - in_low]
            for label in set(inside) - set(rows):  # a row only the inner report has
                tables[title][label] = [0, 0]
        n = [max(0, n_outer[0] - n_inner[1]), n_outer[1] - n_inner[0]]
        totals = {}
        for title in OWN_TOTAL:
            if "Total" in outer_tables.get(title, {}) and "Total" in inner_tables.get(title, {}):
                low, high = outer_tables[title]["Total"]
                totals[title] = [max(0, low - inner_tables[title]["Total"][1]),
                                 high - inner_tables[title]["Total"][0]]  # fmt: skip
        for title, total in totals.items():
            tables[title]["Total"] = total
        for title in OWN_TOTAL & tables.keys() - totals.keys():
            tables[title].pop("Total", None)
        for title in OF_CONTACTS & tables.keys():
            tables[title].pop("Total", None)
        return self.solve(n, tables)

    def pinned(self, solved) -> list[str]:
        _n, tables = solved
        return [
            f"{title}: {label} = {low}"
            for title, rows in tables.items()
            for label, (low, high) in rows.items()
            if low == high and 1 <= low < self.k
        ]


def narrow(rows: list[list[float]], total: list[float]) -> bool:
    changed = False
    low_sum, high_sum = sum(r[0] for r in rows), sum(r[1] for r in rows)
    if low_sum > total[0] or high_sum < total[1]:
        total[0], total[1] = max(total[0], low_sum), min(total[1], high_sum)
        changed = True
    for row in rows:
        low, high = total[0] - (high_sum - row[1]), total[1] - (low_sum - row[0])
        if low > row[0] or high < row[1]:
            row[0], row[1] = max(row[0], low), min(row[1], high)
            changed = True
    return changed


def test_no_report_or_pair_of_reports_an_analyst_can_ask_for_singles_out_a_contact(
    client, logged_in, seeded_year
):
    k = settings.HUOLI_SMALL_COUNT
    periods = requestable_periods(client, logged_in)
    texts = {period: published(*period) for period in periods}
    numbers = [
        int(text)
        for contacts, tables in texts.values()
        for text in [contacts, *(t for rows in tables.values() for t in rows.values())]
        if text.isdigit() and int(text) >= k
    ]
    attacker = Attacker(
        k, rounded=all(n % k == 0 for n in numbers), zero_shown=shows_a_zero(texts.values())
    )
    solved = {period: attacker.report(*text) for period, text in texts.items()}
    found = []
    for period, result in solved.items():
        found += [f"{period[0]}..{period[1]}: {hit}" for hit in attacker.pinned(result)]
    # Pairs of nested periods (whole periods nest or do not meet; ranges from 1 January
    # nest, and a range differs from the next one by a single day).
    custom = [p for p in periods[17:]]
    pairs = [(a, b) for a in periods[:17] for b in periods[:17]
             if a != b and a[0] <= b[0] and b[1] <= a[1]]  # fmt: skip
    pairs += list(zip(custom[1:], custom, strict=False))
    for outer, inner in pairs:
        difference = attacker.difference(copy(solved[outer]), copy(solved[inner]))
        found += [f"{outer[0]}..{outer[1]} minus {inner[0]}..{inner[1]}: {hit}"
                  for hit in attacker.pinned(difference)]  # fmt: skip
    assert not found, f"{len(found)} small counts worked out, e.g. {found[:8]}"


def copy(solved):
    n, tables = solved
    return list(n), {
        title: {label: list(r) for label, r in rows.items()} for title, rows in tables.items()
    }


def test_the_months_quarters_and_year_together_single_out_no_contact(seeded_year):
    """Beyond pairs: a year is the sum of its quarters and of its months, a quarter of its
    months. The attacker narrows every month's counts by all these sums at once."""
    k = settings.HUOLI_SMALL_COUNT
    months = [
        (date(YEAR, m, 1), date(YEAR, m, calendar.monthrange(YEAR, m)[1])) for m in range(1, 13)
    ]
    quarters = [(months[3 * q][0], months[3 * q + 2][1]) for q in range(4)]
    year = (date(YEAR, 1, 1), date(YEAR, 12, 31))
    texts = {p: published(*p) for p in [*months, *quarters, year]}
    numbers = [int(t) for _c, tables in texts.values() for rows in tables.values()
               for t in rows.values() if t.isdigit() and int(t) >= k]  # fmt: skip
    attacker = Attacker(
        k, rounded=all(n % k == 0 for n in numbers), zero_shown=shows_a_zero(texts.values())
    )
    solved = {p: attacker.report(*text) for p, text in texts.items()}
    # The same month cell object in every sum, so narrowing it once narrows it everywhere.
    by_month = [solved[m][1] for m in months]
    titles = set(solved[year][1]) - {"Contacts by week", "Contacts by month"}
    for _round in range(20):
        changed = False
        for whole, parts in [(year, by_month), *((quarters[q], by_month[3 * q : 3 * q + 3])
                                                 for q in range(4))]:  # fmt: skip
            for title in titles:
                for label, total in solved[whole][1][title].items():
                    rows = [part[title].get(label, [0, 0]) for part in parts]
                    changed |= narrow(rows, total)
        if not changed:
            break
    found = [
        f"{m[0]:%m}: {hit}" for m, tables in zip(months, by_month, strict=True)
        for hit in attacker.pinned((None, tables))
    ]  # fmt: skip
    assert not found, f"{len(found)} small counts worked out, e.g. {found[:8]}"

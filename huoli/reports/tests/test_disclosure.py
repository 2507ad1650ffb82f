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
from huoli.outreach.models import Campaign, CampaignCount
from huoli.reports.exports import report_csv
from huoli.reports.selectors import report_for, whole_periods, year_reports

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
             "Was this conversation helpful?", "Campaign codes"}  # fmt: skip
# What the tables read count (the CSV's second column beside a title); calls and call-backs
# are the telephone's tests' to attack.
UNITS = {"Contacts", "Answers", "Conversations"}

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
    of them phone calls (rounded, 5 + <5 + <5 = 5 would pin both hidden ones at 1).

    Campaign codes (issue 19): "koulu" 0..12 starts a month, "moskeija" 0..3, "kirjasto"
    never used; in December koulu 5 and moskeija 1 (5 + <5 beside a total of 6 = "5")."""
    campaign_rng = random.Random(19)
    koulu = Campaign.objects.create(code="koulu", name="Schools")
    moskeija = Campaign.objects.create(code="moskeija", name="Mosques")
    Campaign.objects.create(code="kirjasto", name="Libraries")
    for month in range(1, 13):
        first = date(YEAR, month, 1)
        counts = (
            (5, 1) if month == 12 else (campaign_rng.randint(0, 12), campaign_rng.randint(0, 3))
        )
        for campaign, count in zip((koulu, moskeija), counts, strict=True):
            if count:
                CampaignCount.objects.create(campaign=campaign, month=first, count=count)
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


def published(start: date, end: date, reports=None) -> tuple[str, dict[str, dict[str, str]]]:
    """The contacts figure and every table of the report's CSV download, as text (from
    ``reports``, the year's reports made once, when given: ``report_for`` makes them all for
    each whole period)."""
    with translation.override("en"):
        report = reports[(start, end)] if reports else report_for(start, end)
        lines = list(csv.reader(io.StringIO(report_csv(report))))
    contacts = next(row[1] for row in lines if row[:1] == ["Contacts"])
    tables: dict[str, dict[str, str]] = {}
    current = None
    for row in lines:
        if not row:
            current = None
        elif current is None and len(row) == 2 and row[1] in UNITS:
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
            # A hidden figure is one that was shown: k or more (decision 0037; it need not
            # be the largest of its table any more).
            return [k, math.inf]
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
    with translation.override("en"):
        year = year_reports(YEAR)
    texts = {period: published(*period, year if period in year else None) for period in periods}
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
    with translation.override("en"):
        reports = year_reports(YEAR)
    texts = {p: published(*p, reports) for p in [*months, *quarters, year]}
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


@pytest.fixture
def quiet_december(db):
    """Two busy months and a quiet one: 42 contacts in October, 42 in November, 4 in
    December. Each month's report rounds its own figure; the quarter's and the year's figures
    and their "Contacts by month" rows are the same counts again."""
    counsellor = StaffFactory(role=Role.COUNSELLOR)
    tz = timezone.get_current_timezone()
    for month, day, count in ((10, 15, 42), (11, 12, 42), (12, 10, 4)):
        for i in range(count):
            ContactRecord.objects.create(
                channel="phone",
                language="fi",
                counsellor=counsellor,
                started_at=timezone.make_aware(datetime(YEAR, month, day, 8 + i % 10), tz),
            )


def every_figure_together(attacker: Attacker, texts) -> tuple[dict, list]:
    """Every figure of every report an analyst can ask for in YEAR as one variable, and every
    sum an analyst knows: rows to their table's total (breakdowns to the contacts figure), a
    quarter or year to its months in every row, a "Contacts by month" row to that month's
    contacts figure, a week of a quarter or the year to its parts in the months' reports."""
    ranges: dict[tuple, list[float]] = {}
    sums: list[tuple[tuple, list[tuple]]] = []
    for index, (contacts, tables) in enumerate(texts):
        ranges[(index, "contacts")] = attacker.reading(contacts, [])
        for title, rows in tables.items():
            texts_ = {label: text for label, text in rows.items() if label != "Total"}
            keys = []
            for label, text in texts_.items():
                others = [t for other, t in texts_.items() if other != label]
                ranges[(index, title, label)] = attacker.reading(text, others)
                keys.append((index, title, label))
            total = (index, "contacts") if title in OF_CONTACTS else (index, title, "Total")
            if "Total" in rows:
                reading = attacker.reading(rows["Total"], [])
                ranges.setdefault(total, reading)
                low, high = ranges[total]
                ranges[total] = [max(low, reading[0]), min(high, reading[1])]
            if title in OF_CONTACTS or "Total" in rows:
                sums.append((total, keys))
    parts_of = {12 + q: list(range(3 * q, 3 * q + 3)) for q in range(4)}
    parts_of[16] = [12, 13, 14, 15]
    for whole, parts in parts_of.items():
        sums.append(((whole, "contacts"), [(p, "contacts") for p in parts]))
        for key in [k for k in ranges if k[0] == whole and len(k) == 3]:
            _whole, title, label = key
            if title == "Contacts by month":
                month = int(label.split("/")[0]) - 1
                sums.append((key, [(month, "contacts")]))
            else:  # a week's parts, and every other row's, are the same rows of the parts
                parts_ = [(p, title, label) for p in parts if (p, title, label) in ranges]
                sums.append((key, parts_))
    for _round in range(200):
        changed = False
        for total, parts in sums:
            if parts:
                rows = [ranges[p] for p in parts]
                changed |= narrow(rows, ranges[total])
        if not changed:
            break
    return ranges, sums


def test_no_hidden_figure_is_worked_out_from_the_other_reports(quiet_december):
    """Issue 21, point 20, as an attacker. A figure hidden in one report must not be
    printed in another, and no small count may be pinned by all reports of the year read
    together: the quarter's contacts (88: "90", 88..92) minus October's and November's (42
    each: "40", at most 42) leaves December at least 4, and "<5" says at most 4."""
    k = settings.HUOLI_SMALL_COUNT
    periods = whole_periods(YEAR)
    with translation.override("en"):
        reports = year_reports(YEAR)
    assert report_csv(report_for(*periods[14])) == report_csv(reports[periods[14]])
    texts = [published(*period, reports) for period in periods]
    attacker = Attacker(k, rounded=True, zero_shown=shows_a_zero(texts))
    ranges, _sums = every_figure_together(attacker, texts)
    names = [f"{a}..{b}" for a, b in periods]
    hidden = {
        key
        for key in ranges
        if len(key) == 3 and texts[key[0]][1].get(key[1], {}).get(key[2]) == HIDDEN
    }
    recovered = [
        f"{names[key[0]]}: {key[1]}: {key[2]} (hidden) = {low}..{high}"
        for key, (low, high) in ranges.items()
        if key in hidden and low >= k and high - low <= k - 1
    ]
    found = [
        f"{names[key[0]]}: {' '.join(key[1:])} = {low}"
        for key, (low, high) in ranges.items()
        if low == high and 1 <= low < k
    ]
    assert not recovered and not found, f"recovered {recovered[:5]}, pinned {found[:8]}"

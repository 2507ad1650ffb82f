"""Statistics for a date range, from the structured fields of contact records (which
outlive conversation content) and from queue times. Every count passes through
``suppression``; nothing here leads from a count to a record."""

from __future__ import annotations

import calendar
import statistics
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import connection
from django.db.models import Count, Min, Q
from django.utils import timezone, translation
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext as _

from huoli.calls.models import Call, CallbackRequest
from huoli.cases.models import Case
from huoli.contacts.models import ContactRecord, ListEntry, RiskLevel
from huoli.conversations.models import Conversation, Feedback, Message
from huoli.directory.models import Referral, Service
from huoli.outreach.selectors import campaign_counts
from huoli.reports.suppression import (
    Cell,
    count_cell,
    protect,
    protect_figures,
    suppress_table,
)

NOT_RECORDED = "—"


@dataclass
class Table:
    key: str
    title: str
    labels: list[str]
    values: list[int]
    # The number the rows add up to, or None where several may apply to one contact.
    total: int | None = None
    note: str = ""
    cells: list[Cell] = field(default_factory=list)
    total_cell: Cell | None = None
    # What the rows count ("Contacts" when empty).
    unit: str = ""

    def __post_init__(self):
        self.cells, self.total_cell = suppress_table(self.values, self.total)
        self.unit = self.unit or _("Contacts")

    @property
    def rows(self) -> list[tuple[str, Cell]]:
        return list(zip(self.labels, self.cells, strict=True))

    def bar_share(self, cell: Cell) -> float:
        """A bar's length as a share of the longest, from the figures as printed (rounded):
        0 for a hidden count, and never more than the text tells."""
        if cell.hidden or not cell.shown:
            return 0.0
        biggest = max((c.shown or 0 for c in self.cells if not c.hidden), default=0)
        return cell.shown / biggest if biggest else 0.0


@dataclass
class Report:
    start: date
    end: date
    contacts: Cell
    new_cases: Cell
    tables: list[Table]
    series: list[Table]
    # (label, text); the counts among them (chats answered, left the queue) as cells.
    service_levels: list[tuple[str, str | Cell]]
    feedback: Table
    calls: Cell | None = None  # calls offered
    call_levels: list[tuple[str, str | Cell]] = field(default_factory=list)
    call_tables: list[Table] = field(default_factory=list)
    callbacks: Table | None = None  # call-back requests by outcome (its total: the requests)
    campaigns: Table | None = None  # starts from partners' links, by campaign code


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    return (
        timezone.make_aware(datetime.combine(start, time.min), tz),
        timezone.make_aware(datetime.combine(end + timedelta(days=1), time.min), tz),
    )


def _by(records, field_name: str) -> dict:
    return {
        row[field_name]: row["n"]
        for row in records.order_by().values(field_name).annotate(n=Count("id"))
    }


# The single-valued fields every report counts: (column, key in the result).
GROUPED = [
    ("channel", "channel"),
    ("language", "language"),
    ("contact_type_id", "contact_type"),
    ("contacting_id", "contacting"),
    ("stage_id", "stage"),
    ("risk_level", "risk_level"),
    ("heard_from_id", "heard_from"),
    ("municipality_id", "municipality"),
    ("started_on", "started_on"),
]


# The tables whose rows add up to the number of contacts.
CONTACT_BREAKDOWNS = frozenset(
    {"channel", "language", "contact_type", "contacting", "stage", "risk_level", "heard_from",
     "municipality", "weekly", "monthly"}
)  # fmt: skip


def _record_counts(start: date, end: date) -> dict[str, dict]:
    """Counts of the records of the days by each single-valued field. On PostgreSQL one scan
    with GROUPING SETS; elsewhere one GROUP BY per field. Interpreter languages count only
    records where an interpreter was used."""
    records = ContactRecord.objects.filter(started_on__gte=start, started_on__lte=end)
    if connection.vendor != "postgresql":
        counts = {key: _by(records, key) for _column, key in GROUPED}
        counts["interpreter"] = _by(records.filter(interpreter_used=True), "interpreter_language")
        return counts
    columns = [column for column, _key in GROUPED] + ["interpreter_language"]
    sets = ", ".join(f"({column})" for column, _key in GROUPED)
    table = ContactRecord._meta.db_table
    sql = (
        f"SELECT {', '.join(columns)}, COUNT(*), GROUPING({', '.join(columns)}) "  # noqa: S608
        f"FROM {table} WHERE started_on >= %s AND started_on <= %s "
        f"GROUP BY GROUPING SETS ({sets}, (interpreter_used, interpreter_language))"
    )
    counts: dict[str, dict] = {key: {} for _column, key in GROUPED}
    counts["interpreter"] = {}
    keys = [key for _column, key in GROUPED] + ["interpreter"]
    width = len(columns)
    with connection.cursor() as cursor:
        cursor.execute(sql, [start, end])
        for row in cursor.fetchall():
            grouping = row[-1]
            # GROUPING(...) sets a bit for each column NOT in the row's grouping set.
            present = [i for i in range(width) if not grouping & (1 << (width - 1 - i))]
            if len(present) != 1:
                continue
            index = present[0]
            counts[keys[index]][row[index]] = row[width]
    return counts


def _m2m_counts(start: date, end: date, through) -> dict:
    """Counts per list entry of a many-to-many field, from the link table."""
    return {
        row["listentry"]: row["n"]
        for row in through.objects.filter(
            contactrecord__started_on__gte=start, contactrecord__started_on__lte=end
        )
        .order_by()
        .values("listentry")
        .annotate(n=Count("id"))
    }


def _entries(kind: str) -> list[ListEntry]:
    # Every entry, retired ones too: a row listed only where it was used would tell that it
    # holds at least one, and sums across periods could then pin it (decision 0019).
    return list(ListEntry.objects.filter(kind=kind).order_by("position", "pk"))


def _entry_labels(entries: list[ListEntry], *, multi: bool) -> list[str]:
    # "Not recorded" always, so that the row's presence does not tell it holds one.
    return [e.name for e in entries] + ([] if multi else [_("Not recorded")])


def _choice_labels(choices, *, not_recorded: bool = True) -> list[str]:
    return [str(label) for _value, label in choices] + ([_("Not recorded")] if not_recorded else [])


def _entry_table(key, title, counts: dict, kind, *, multi=False) -> Table:
    entries = _entries(kind)
    values = [counts.get(e.pk, 0) for e in entries]
    if not multi:
        values.append(counts.get(None, 0))
    total = None if multi else sum(values)
    note = _("Several may apply to one contact.") if multi else ""
    return Table(key, title, _entry_labels(entries, multi=multi), values, total, note)


def _choice_table(key, title, counts: dict, choices, *, not_recorded=True, unit="") -> Table:
    values = [counts.get(value, 0) for value, _label in choices]
    if not_recorded:
        values.append(counts.get(None, 0) + counts.get("", 0))
    labels = _choice_labels(choices, not_recorded=not_recorded)
    return Table(key, title, labels, values, sum(values), unit=unit)


# List entries where several may apply to one contact (tables without a total).
MULTI_ENTRY_KINDS = frozenset({"concern", "action"})
ENTRY_TABLES = frozenset(
    {"contact_type", "contacting", "concern", "stage", "action", "heard_from", "municipality"}
)


def table_labels(key: str) -> list[tuple[str, str]]:
    """The row labels of the report's table ``key`` in the active language, in the order
    ``_build`` makes them, each with the language it is in where that is not the active one
    (a list entry kept only in Finnish, Swedish and English; else ""). For showing a
    report's cells under another language's labels (the open statistics). The tables of
    choices, list entries and referrals; ``KeyError`` for the others."""
    active = (translation.get_language() or "").split("-")[0]
    if key in ENTRY_TABLES:
        entries = _entries(key)
        multi = key in MULTI_ENTRY_KINDS
        languages = [e.name_language() for e in entries] + ([] if multi else [active])
        labels = _entry_labels(entries, multi=multi)
        return [(label, "" if lang == active else lang) for label, lang in zip(
            labels, languages, strict=True)]  # fmt: skip
    choices = {
        "channel": ContactRecord.Channel.choices,
        "language": list(language_names().items()),
        "risk_level": RiskLevel.choices,
    }
    if key in choices:
        return [(label, "") for label in _choice_labels(choices[key])]
    if key == "referral":
        labels = _choice_labels(Service.Category.choices, not_recorded=False)
        return [(label, "") for label in labels]
    raise KeyError(key)


def _series(daily: dict[date, int], start: date, end: date, step: str):
    """Weekly (ISO weeks, from Monday) or monthly sums of the daily counts."""
    labels, values = [], []
    if step == "week":
        cursor = start - timedelta(days=start.weekday())
        while cursor <= end:
            iso = cursor.isocalendar()
            labels.append(_("week %(week)s/%(year)s") % {"week": iso.week, "year": iso.year})
            values.append(sum(daily.get(cursor + timedelta(days=d), 0) for d in range(7)))
            cursor += timedelta(days=7)
    else:
        cursor = start.replace(day=1)
        while cursor <= end:
            following = (cursor + timedelta(days=32)).replace(day=1)
            labels.append(f"{cursor.month}/{cursor.year}")
            values.append(sum(n for day, n in daily.items() if cursor <= day < following))
            cursor = following
    return labels, values


def _minutes(seconds: list[float], q: float) -> str:
    if len(seconds) < settings.HUOLI_SMALL_COUNT:
        return NOT_RECORDED
    ordered = sorted(seconds)
    value = statistics.median(ordered) if q == 0.5 else ordered[int(q * (len(ordered) - 1))]
    return _("%(minutes)s min") % {"minutes": round(value / 60, 1)}


def _service_levels(start_dt, end_dt) -> list[tuple[str, str | Cell]]:
    chats = Conversation.objects.filter(
        kind="chat", created_at__gte=start_dt, created_at__lt=end_dt
    )
    # A purged conversation's times are cut to the day; its durations were kept instead.
    rows = list(
        chats.values_list("created_at", "taken_at", "ended_at", "wait_seconds", "length_seconds")
    )
    answered = [r for r in rows if r[1] is not None]
    left = [r for r in rows if r[1] is None and r[2] is not None]
    waits = [w if w is not None else (t - c).total_seconds() for c, t, _e, w, _l in answered]
    lengths = [
        n if n is not None else (e - t).total_seconds()
        for _c, t, e, _w, n in answered
        if e is not None
    ]

    # Written messages: was the first answer within 24 hours of the first visitor message?
    firsts = (
        Message.objects.filter(
            conversation__kind="message",
            conversation__created_at__gte=start_dt,
            conversation__created_at__lt=end_dt,
        )
        .order_by()
        .values("conversation")
        .annotate(
            asked=Min("created_at", filter=Q(sender="visitor")),
            answered=Min("created_at", filter=Q(sender="counsellor")),
        )
    )
    asked = [f for f in firsts if f["asked"] is not None]
    within = [
        f for f in asked
        if f["answered"] is not None and f["answered"] - f["asked"] <= timedelta(hours=24)
    ]  # fmt: skip
    share = NOT_RECORDED
    if len(asked) >= settings.HUOLI_SMALL_COUNT:
        share = f"{round(100 * len(within) / len(asked))} %"
    return [
        (_("Chats answered"), count_cell(len(answered))),
        (_("Left the queue before an answer"), count_cell(len(left))),
        (_("Median wait"), _minutes(waits, 0.5)),
        (_("90th percentile of waits"), _minutes(waits, 0.9)),
        (_("Median chat length"), _minutes(lengths, 0.5)),
        (_("Messages answered within 24 hours"), share),
    ]


def _seconds(seconds: list[float], q: float) -> str:
    if len(seconds) < settings.HUOLI_SMALL_COUNT:
        return NOT_RECORDED
    ordered = sorted(seconds)
    value = statistics.median(ordered) if q == 0.5 else ordered[int(q * (len(ordered) - 1))]
    # To ten seconds, like the purge's durations: one call's exact wait is not printed.
    return _("%(seconds)s s") % {"seconds": int(round(value / 10) * 10)}


# Rows of the calls by outcome, in this order (the last: still waiting or ringing).
CALL_OUTCOMES = [
    Call.Outcome.ANSWERED, Call.Outcome.ABANDONED, Call.Outcome.TIMED_OUT, Call.Outcome.WAITING
]  # fmt: skip


def _calls(start_dt, end_dt) -> tuple[Cell, list[tuple[str, str]], list[Table]]:
    """Calls offered in the range: by outcome, by weekday and by hour (local time), the time
    to answer and the talk time. A purged call's times are cut to the day (decision 0013):
    its kept durations are used instead, and its hour is no longer known."""
    rows = list(
        Call.objects.filter(offered_at__gte=start_dt, offered_at__lt=end_dt)
        .order_by()
        .values_list(
            "offered_at", "answered_at", "ended_at", "outcome", "wait_seconds", "talk_seconds",
            "conversation__content_purged_at",
        )
    )  # fmt: skip
    outcomes = {value: 0 for value in CALL_OUTCOMES}
    weekdays = [0] * 7
    hours = [0] * 24
    hour_unknown = 0
    waits, talks = [], []
    for offered, answered, ended, outcome, wait, talk, purged in rows:
        outcomes[outcome if outcome in outcomes else Call.Outcome.WAITING] += 1
        local = timezone.localtime(offered)
        weekdays[local.weekday()] += 1
        if purged is None:
            hours[local.hour] += 1
        else:
            hour_unknown += 1
        if outcome != Call.Outcome.ANSWERED or answered is None:
            continue
        waits.append(wait if wait is not None else (answered - offered).total_seconds())
        if talk is not None:
            talks.append(talk)
        elif ended is not None:
            talks.append((ended - answered).total_seconds())
    offered_count = len(rows)
    unit = _("Calls")
    labels = [str(Call.Outcome(value).label) for value in CALL_OUTCOMES]
    labels[-1] = _("Waiting or ringing")
    hour_labels = [f"{h:02d}:00-{h:02d}:59" for h in range(24)]
    hour_labels.append(_("Hour no longer kept (older calls)"))
    tables = [
        Table("call_outcome", _("Calls by outcome"), labels,
              [outcomes[value] for value in CALL_OUTCOMES], offered_count, unit=unit),
        Table("call_weekday", _("Calls by weekday"), [str(WEEKDAYS[d]) for d in range(7)],
              weekdays, offered_count, unit=unit),
        Table("call_hour", _("Calls by hour"), hour_labels, [*hours, hour_unknown],
              offered_count, unit=unit),
    ]  # fmt: skip
    offered_cell = count_cell(offered_count)
    total_talk = NOT_RECORDED
    if len(talks) >= settings.HUOLI_SMALL_COUNT:
        total_talk = _("%(minutes)s min") % {"minutes": round(sum(talks) / 60)}
    levels = [
        (_("Calls offered"), offered_cell),
        (_("Median time to answer"), _seconds(waits, 0.5)),
        (_("90th percentile of time to answer"), _seconds(waits, 0.9)),
        (_("Median talk time"), _minutes(talks, 0.5)),
        (_("Total talk time"), total_talk),
    ]
    return offered_cell, levels, tables


def _callbacks(start_dt, end_dt) -> tuple[Table, tuple[str, str]]:
    """Call-back requests made in the range, by outcome, and the median time from the
    request to the first attempt (kept to ten minutes by the purge)."""
    rows = list(
        CallbackRequest.objects.filter(
            conversation__created_at__gte=start_dt, conversation__created_at__lt=end_dt
        )
        .order_by()
        .values_list(
            "outcome", "first_attempt_at", "first_attempt_minutes", "conversation__created_at"
        )
    )
    order = ["reached", "expired", "wrong_number", "cancelled", ""]
    labels = [
        _("Reached"),
        _("Not reached in the times chosen"),
        _("Wrong number"),
        _("Cancelled by the family"),
        _("Still open"),
    ]
    counts = dict.fromkeys(order, 0)
    waits = []
    for outcome, first, minutes, created in rows:
        counts[outcome if outcome in counts else ""] += 1
        if minutes is not None:
            waits.append(minutes * 60)
        elif first is not None:
            waits.append(max(0.0, (first - created).total_seconds()))
    table = Table(
        "callback_outcome",
        _("Call-back requests by outcome"),
        [str(label) for label in labels],
        [counts[value] for value in order],
        len(rows),
        unit=_("Requests"),
    )
    return table, (
        _("Median time from a call-back request to the first call"),
        _minutes(waits, 0.5),
    )


def _whole_months(start: date, end: date) -> tuple[date | None, date | None]:
    """The first days of the first and the last month lying wholly in the range and ended
    (None, None for a range without one). The running month is never counted: a report read
    again and again while it grows would tell which conversation came by which link."""
    first = start if start.day == 1 else (start.replace(day=1) + timedelta(days=32)).replace(day=1)
    following = min(end + timedelta(days=1), timezone.localdate().replace(day=1))
    last = (following.replace(day=1) - timedelta(days=1)).replace(day=1)
    return (first, last) if first <= last else (None, None)


def _campaigns(start: date, end: date) -> Table | None:
    """Conversations and call-back requests started from a partner's link or QR code, by its
    campaign code (``outreach``): every campaign ever made is a row, used or not (None while
    there is none). Kept only as a count per month, so a range counts only the months lying
    wholly in it. The total: every start with a code; contacts without one are not in it."""
    rows = campaign_counts(*_whole_months(start, end))
    if not rows:
        return None
    return Table(
        "campaigns",
        _("Campaign codes"),
        [f"{campaign.code} ({campaign.name})" for campaign, _n in rows],
        [n for _campaign, n in rows],
        sum(n for _campaign, n in rows),
        note=_(
            "Chats, messages, calls from the web page and call-back requests started from a "
            "partner's link or QR code with the code. Counted by month: only the months "
            "wholly inside the period that have ended."
        ),
        unit=_("Conversations"),
    )


def language_names() -> dict[str, str]:
    return {code: str(name) for code, name in settings.HUOLI_SPOKEN_LANGUAGES}


def report_for(start: date, end: date) -> Report:
    """The report of the days from ``start`` to ``end``. A whole month, quarter or year is
    checked together with every other whole period of its year (decision 0037); any other
    range (for supervisors auditing) on its own."""
    if _whole_period(start, end):
        return year_reports(start.year)[(start, end)]
    report = _build(start, end)
    # Every breakdown of contacts adds up to the contacts figure, and every table of calls to
    # the calls offered: one check over each group.
    of_contacts = [t for t in [*report.tables, *report.series] if t.key in CONTACT_BREAKDOWNS]
    protect([t.cells for t in of_contacts], [report.contacts] * len(of_contacts))
    protect([t.cells for t in report.call_tables], [report.calls] * len(report.call_tables))
    return report


def _build(start: date, end: date) -> Report:
    """Every figure of the report, each table checked only against its own total."""
    start_dt, end_dt = _bounds(start, end)
    records = ContactRecord.objects.filter(started_on__gte=start, started_on__lte=end)
    counts = _record_counts(start, end)
    contacts = sum(counts["channel"].values())
    new_cases = Case.objects.filter(created_at__gte=start_dt, created_at__lt=end_dt).count()
    names = language_names()
    referrals = {
        row["category"]: row["n"]
        for row in Referral.objects.filter(record__in=records)
        .order_by()
        .values("category")
        .annotate(n=Count("id"))
    }
    concerns = _m2m_counts(start, end, ContactRecord.concerns.through)
    actions = _m2m_counts(start, end, ContactRecord.actions.through)
    tables = [
        _choice_table("channel", _("Channel"), counts["channel"], ContactRecord.Channel.choices),
        _choice_table("language", _("Language"), counts["language"], list(names.items())),
        _entry_table("contact_type", _("Type of contact"), counts["contact_type"], "contact_type"),
        _entry_table("contacting", _("Who is contacting"), counts["contacting"], "contacting"),
        _entry_table("concern", _("Concerns"), concerns, "concern", multi=True),
        _entry_table("stage", _("Stage"), counts["stage"], "stage"),
        _choice_table("risk_level", _("Risk level"), counts["risk_level"], RiskLevel.choices),
        _entry_table("action", _("Actions"), actions, "action", multi=True),
        Table(
            "referral",
            _("Referrals by service category"),
            _choice_labels(Service.Category.choices, not_recorded=False),
            [referrals.get(value, 0) for value, _l in Service.Category.choices],
            sum(referrals.values()),
        ),
        _entry_table(
            "heard_from", _("How they heard about us"), counts["heard_from"], "heard_from"
        ),
        _choice_table(
            "interpreter",
            _("Interpreter used, by language"),
            counts["interpreter"],
            list(names.items()),
            not_recorded=False,
        ),
        _entry_table("municipality", _("Municipality"), counts["municipality"], "municipality"),
    ]
    daily = {day: n for day, n in counts["started_on"].items() if day is not None}
    weekly = _series(daily, start, end, "week")
    monthly = _series(daily, start, end, "month")
    series = [
        Table("weekly", _("Contacts by week"), *weekly, sum(weekly[1])),
        Table("monthly", _("Contacts by month"), *monthly, sum(monthly[1])),
    ]
    contacts_cell = count_cell(contacts)
    feedback_counts = _by(Feedback.objects.filter(day__gte=start, day__lte=end), "answer")
    feedback = _choice_table(
        "feedback", _("Was this conversation helpful?"), feedback_counts,
        Feedback.Answer.choices, not_recorded=False, unit=_("Answers"),
    )  # fmt: skip
    calls, call_levels, call_tables = _calls(start_dt, end_dt)
    callbacks, first_attempt = _callbacks(start_dt, end_dt)
    return Report(
        start=start,
        end=end,
        contacts=contacts_cell,
        new_cases=count_cell(new_cases),
        tables=tables,
        series=series,
        service_levels=_service_levels(start_dt, end_dt),
        feedback=feedback,
        calls=calls,
        call_levels=[*call_levels, first_attempt],
        call_tables=call_tables,
        callbacks=callbacks,
        campaigns=_campaigns(start, end),
    )


def every_table(report: Report) -> list[Table]:
    extra = [t for t in (report.callbacks, report.campaigns) if t is not None]
    return [*report.tables, *report.series, report.feedback, *report.call_tables, *extra]


def whole_periods(year: int) -> list[tuple[date, date]]:
    """The months, the quarters and the year: every period an analyst can ask for."""
    months = [(date(year, m, 1), date(year, m, calendar.monthrange(year, m)[1]))
              for m in range(1, 13)]  # fmt: skip
    quarters = [(months[3 * q][0], months[3 * q + 2][1]) for q in range(4)]
    return [*months, *quarters, (date(year, 1, 1), date(year, 12, 31))]


def _whole_period(start: date, end: date) -> bool:
    return (start, end) in whole_periods(start.year)


def _slots(report: Report) -> dict[str, Cell]:
    """The report's figures outside the tables, by key."""
    levels = {key: value for key, (_label, value) in zip(
        ("answered", "left"), report.service_levels[:2], strict=True)}  # fmt: skip
    return {"contacts": report.contacts, "new_cases": report.new_cases,
            "calls": report.calls, **levels}  # fmt: skip


def year_reports(year: int) -> dict[tuple[date, date], Report]:
    """The 17 whole periods of ``year`` checked together: a figure printed in several
    reports (a month's contacts are a row of its quarter's and year's "Contacts by month", a
    week inside one month a row of three reports) is one figure with one text everywhere, and
    the check knows every sum between them (a quarter is the sum of its months in every row,
    the year of its quarters). See ``suppression.protect_figures``."""
    periods = whole_periods(year)
    reports = {period: _build(*period) for period in periods}
    index = {period: i for i, period in enumerate(periods)}
    parts_of = {12 + q: [3 * q, 3 * q + 1, 3 * q + 2] for q in range(4)}
    parts_of[16] = [12, 13, 14, 15]
    same: dict[tuple, tuple] = {}  # a key printed again under another key

    def canonical(key):
        while key in same:
            key = same[key]
        return key

    values: dict[tuple, int] = {}
    sums: list[tuple] = []
    for period, report in reports.items():
        p = index[period]
        for name, cell in _slots(report).items():
            values[(p, name)] = cell.value
        for table in every_table(report):
            if table.key == "monthly":
                for label, month in zip(table.labels, _months(period), strict=True):
                    same[(p, "monthly", label)] = (index[month], "contacts")
            keys = [(p, table.key, label) for label in table.labels]
            for key, value in zip(keys, table.values, strict=True):
                values[key] = value
            if table.key in CONTACT_BREAKDOWNS:
                sums.append(((p, "contacts"), keys))
            elif table.key.startswith("call_"):
                sums.append(((p, "calls"), keys))
            elif table.total is not None:
                values[(p, table.key, "total")] = table.total
                sums.append(((p, table.key, "total"), keys))
    for whole, parts in parts_of.items():
        for key in [key for key in values if key[0] == whole]:
            suffix = key[1:]
            part_keys = [(q, *suffix) for q in parts if (q, *suffix) in values]
            if key[1] == "weekly" and len(part_keys) == 1:
                same[key] = part_keys[0]  # a week inside one part: the same figure
            elif key[1] != "monthly":
                sums.append((key, part_keys))
    cells = {key: count_cell(value) for key, value in values.items() if key not in same}
    sums = [(canonical(total), [canonical(p) for p in parts]) for total, parts in sums]
    sums = [(total, parts) for total, parts in sums if parts != [total]]
    cells = protect_figures(cells, sums)

    for period, report in reports.items():
        p = index[period]
        report.contacts, report.new_cases, report.calls = (
            cells[canonical((p, name))] for name in ("contacts", "new_cases", "calls")
        )
        answered, left = cells[canonical((p, "answered"))], cells[canonical((p, "left"))]
        report.service_levels[:2] = [(report.service_levels[0][0], answered),
                                     (report.service_levels[1][0], left)]  # fmt: skip
        report.call_levels[0] = (report.call_levels[0][0], report.calls)
        for table in every_table(report):
            table.cells = [cells[canonical((p, table.key, label))] for label in table.labels]
            if table.key in CONTACT_BREAKDOWNS:
                table.total_cell = report.contacts
            elif table.key.startswith("call_"):
                table.total_cell = report.calls
            elif table.total is not None:
                table.total_cell = cells[canonical((p, table.key, "total"))]
    return reports


def _months(period: tuple[date, date]) -> list[tuple[date, date]]:
    """The months of ``period``, as the keys of their reports."""
    start, end = period
    months = []
    while start <= end:
        last = date(start.year, start.month, calendar.monthrange(start.year, start.month)[1])
        months.append((start, last))
        start = last + timedelta(days=1)
    return months

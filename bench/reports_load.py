"""Statistics load: synthetic contact records with docs/domain.md's distributions, and the time
the year dashboard takes to compute.

    .venv/bin/python bench/reports_load.py [--records 1000000] [--years 5]

Builds a fresh SQLite database in a temporary folder, or uses DATABASE_URL (PostgreSQL; use a
scratch database, the records stay in it). Records are spread evenly over the last --years
years; the dashboard of the last full year is computed five times. Prints the records in that
year, the time of each run (median and best), and, as a baseline from the same session, the
time of one plain `COUNT(*)` over that year. Aim: the whole year dashboard under 1 s on
PostgreSQL.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchdb import django_ready

# docs/domain.md, "Volumes": shares seen abroad, roughly.
CHANNELS = {"phone": 70, "chat": 20, "message": 10}
CONTACT_TYPES = {"about_someone": 70, "about_oneself": 5, "information": 15, "non_counselling": 10}
CONTACTING = {"mother": 30, "father": 10, "sibling": 4, "relative": 4, "friend": 4,
              "self": 5, "school": 20, "youth_social": 8, "child_welfare": 5, "health": 4,
              "unknown": 6}  # fmt: skip
CONCERNS = {"islamist": 42, "far_right": 12, "information": 15, "violence": 8, "racism": 4,
            "mixed": 10, "conspiracy": 5, "far_left": 2, "vulnerability": 2}  # fmt: skip
STAGES = {"change": 55, "joined": 20, "planning_travel": 8, "travelled": 5, "detained": 4,
          "returned": 5, "missing": 3}  # fmt: skip
RISK = {0: 15, 1: 35, 2: 30, 3: 17, 4: 3}
LANGUAGES = {"fi": 60, "sv": 5, "en": 8, "ar": 10, "so": 5, "ru": 5, "fa": 3, "et": 2, "uk": 2}
HEARD = {"internet": 30, "city": 15, "school": 15, "health_social": 12, "police": 5,
         "friend_family": 10, "media": 5, "social_media": 6, "other": 2}  # fmt: skip
MUNICIPALITIES = {"helsinki": 60, "espoo": 15, "vantaa": 15, "kauniainen": 1, "other": 9}
ACTIONS = {"listened": 80, "information": 60, "keeping_in_touch": 40, "follow_up": 20,
           "referral_made": 15, "referral_declined": 5, "emergency_112": 1}  # fmt: skip


def chooser(rng: random.Random, weights: dict):
    keys, values = list(weights), list(weights.values())
    return lambda: rng.choices(keys, values)[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--years", type=int, default=5)
    args = parser.parse_args()

    django_ready()
    from django.db import connection, transaction
    from django.utils import timezone

    from huoli.contacts.models import ContactRecord, ListEntry
    from huoli.reports.selectors import report_for

    entries = {(e.kind, e.code): e.pk for e in ListEntry.objects.all()}
    rng = random.Random(11)
    pick = {name: chooser(rng, weights) for name, weights in {
        "channel": CHANNELS, "type": CONTACT_TYPES, "contacting": CONTACTING, "stage": STAGES,
        "risk": RISK, "language": LANGUAGES, "heard": HEARD, "municipality": MUNICIPALITIES,
    }.items()}  # fmt: skip
    concern, action = chooser(rng, CONCERNS), chooser(rng, ACTIONS)

    today = timezone.localdate()
    first_day = date(today.year - args.years, 1, 1)
    span = (date(today.year - 1, 12, 31) - first_day).days + 1
    table = ContactRecord._meta.db_table
    concerns_table = ContactRecord.concerns.through._meta.db_table
    actions_table = ContactRecord.actions.through._meta.db_table
    start_id = (ContactRecord.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    columns = ["id", "channel", "status", "started_at", "started_on", "ended_at", "language",
               "contact_type_id", "contacting_id", "municipality_id", "stage_id", "risk_level",
               "heard_from_id",
               "interpreter_used", "interpreter_language", "follow_up_wanted", "summary", "notes",
               "created_at", "updated_at", "minor", "recent_conversion", "person_language",
               "heard_from_detail"]  # fmt: skip
    insert = (
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})"
    )
    tz = timezone.get_current_timezone()
    began = time.perf_counter()
    batch_size = 20_000
    for batch_start in range(0, args.records, batch_size):
        rows, concern_rows, action_rows = [], [], []
        for offset in range(min(batch_size, args.records - batch_start)):
            record_id = start_id + batch_start + offset
            day = first_day + timedelta(days=(batch_start + offset) * span // args.records)
            started = timezone.make_aware(
                datetime(day.year, day.month, day.day, rng.randrange(8, 22), rng.randrange(60)), tz
            )
            language = pick["language"]()
            interpreter = language not in ("fi", "sv", "en") and rng.random() < 0.4
            rows.append((
                record_id, pick["channel"](), "complete", started, day,
                started + timedelta(minutes=rng.randrange(3, 60)), language,
                entries[("contact_type", pick["type"]())],
                entries[("contacting", pick["contacting"]())],
                entries[("municipality", pick["municipality"]())],
                entries[("stage", pick["stage"]())], pick["risk"](),
                entries[("heard_from", pick["heard"]())], interpreter,
                language if interpreter else "", False, "", "", started, started, "", "", "", "",
            ))  # fmt: skip
            for code in {concern() for _ in range(rng.choice((1, 1, 2)))}:
                concern_rows.append((record_id, entries[("concern", code)]))
            for code in {action() for _ in range(rng.choice((1, 2, 3)))}:
                action_rows.append((record_id, entries[("action", code)]))
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(insert, rows)
            cursor.executemany(
                f"INSERT INTO {concerns_table} (contactrecord_id, listentry_id) VALUES (%s, %s)",
                concern_rows,
            )
            cursor.executemany(
                f"INSERT INTO {actions_table} (contactrecord_id, listentry_id) VALUES (%s, %s)",
                action_rows,
            )
    if connection.vendor == "postgresql":
        # What autovacuum does in a running installation: statistics and the visibility map
        # (index-only scans of the link tables).
        with connection.cursor() as cursor:
            for name in (table, concerns_table, actions_table):
                cursor.execute(f"VACUUM ANALYZE {name}")
    loaded = time.perf_counter() - began

    year = today.year - 1
    start, end = date(year, 1, 1), date(year, 12, 31)
    in_year = ContactRecord.objects.filter(started_at__year=year).count()

    def count_only() -> float:
        began = time.perf_counter()
        ContactRecord.objects.filter(started_at__gte=first, started_at__lt=after).count()
        return time.perf_counter() - began

    first = timezone.make_aware(datetime(year, 1, 1), tz)
    after = timezone.make_aware(datetime(year + 1, 1, 1), tz)
    baseline = min(count_only() for _ in range(3))
    runs = []
    for _ in range(5):
        began = time.perf_counter()
        report_for(start, end)
        runs.append(time.perf_counter() - began)
    db = "PostgreSQL" if connection.vendor == "postgresql" else "SQLite"
    print(f"\n{args.records:,} records over {args.years} years loaded in {loaded:.0f} s ({db})")
    print(f"year {year}: {in_year:,} records")
    print(f"year dashboard: median {statistics.median(runs) * 1000:.0f} ms, "
          f"best {min(runs) * 1000:.0f} ms")  # fmt: skip
    print(f"baseline COUNT(*) of the year: {baseline * 1000:.0f} ms; "
          f"ratio {statistics.median(runs) / baseline:.1f}x")  # fmt: skip


if __name__ == "__main__":
    main()

"""Directory search: 5,000 generated services, the console's search timed per query.

    .venv/bin/python bench/directory_search.py [--services 5000] [--queries 500]

Builds a fresh SQLite database in a temporary folder (or uses DATABASE_URL), adds the
generated services, then runs queries as a counsellor types them (prefixes of words from
names and descriptions in Finnish, Swedish and English, some with a category filter).
Prints the median and p99 time per query, and the same for a baseline in the same process:
a plain Python substring scan over the same texts already in memory. Aim: p99 under 50 ms
on SQLite.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchdb import django_ready

WORDS_FI = ["perhe", "nuoriso", "kriisi", "tuki", "neuvola", "apu", "lapsi", "koulu",
            "mieli", "terveys", "sosiaali", "päivystys", "ryhmä", "keskus", "palvelu",
            "neuvonta"]  # fmt: skip
WORDS_SV = ["familj", "ungdom", "kris", "stöd", "rådgivning", "hjälp", "barn", "skola",
            "hälsa", "social", "jour", "grupp", "center", "tjänst"]  # fmt: skip
WORDS_EN = ["family", "youth", "crisis", "support", "counselling", "help", "child", "school",
            "mind", "health", "social", "emergency", "group", "centre", "service"]  # fmt: skip
PLACES = ["Helsinki", "Espoo", "Vantaa", "Kauniainen", "Tampere", "Turku", "Oulu"]


def phrase(rng: random.Random, words: list[str], n: int) -> str:
    return " ".join(rng.choice(words) + rng.choice(["", "t", "en", "a", "ien"]) for _ in range(n))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--services", type=int, default=5000)
    parser.add_argument("--queries", type=int, default=500)
    args = parser.parse_args()

    django_ready()

    from huoli.directory.models import Service, fold, search_texts
    from huoli.directory.selectors import ServiceFilters, service_search

    rng = random.Random(7)
    run = f"{rng.randrange(16**6):06x}-{int(time.time())}"
    categories = [value for value, _label in Service.Category.choices]
    batch = []
    for index in range(args.services):
        service = Service(
            key=f"bench-{run}-{index}",
            name_fi=phrase(rng, WORDS_FI, 3).capitalize(),
            name_sv=phrase(rng, WORDS_SV, 3).capitalize(),
            name_en=phrase(rng, WORDS_EN, 3).capitalize(),
            description_fi=phrase(rng, WORDS_FI, 25),
            description_sv=phrase(rng, WORDS_SV, 25),
            description_en=phrase(rng, WORDS_EN, 25),
            category=rng.choice(categories),
            municipality=rng.choice(PLACES),
            languages_served=rng.sample(["fi", "sv", "en", "ar", "so", "ru"], 3),
            accepts_anonymous=rng.random() < 0.4,
        )
        service.name_text, service.search_text = search_texts(service)
        batch.append(service)
    Service.objects.bulk_create(batch, batch_size=500)

    all_words = WORDS_FI + WORDS_SV + WORDS_EN
    queries = []
    for _ in range(args.queries):
        word = rng.choice(all_words)
        typed = word[: rng.randint(3, len(word))]
        if rng.random() < 0.3:
            typed += " " + rng.choice(all_words)[:4]
        category = rng.choice(categories) if rng.random() < 0.2 else ""
        queries.append(ServiceFilters(query=typed, category=category))

    def timed(run_query) -> list[float]:
        times = []
        for filters in queries:
            started = time.perf_counter()
            run_query(filters)
            times.append((time.perf_counter() - started) * 1000)
        return times

    service_search(queries[0])  # warm the connection and the page cache
    huoli = timed(service_search)

    rows = list(Service.objects.values_list("pk", "category", "search_text"))

    def baseline(filters):
        words = fold(filters.query).split()
        return [
            pk for pk, category, text in rows
            if (not filters.category or category == filters.category)
            and all(word in text for word in words)
        ][:20]  # fmt: skip

    bare = timed(baseline)

    def p99(values):
        return sorted(values)[min(len(values) - 1, int(0.99 * len(values)))]

    db = "PostgreSQL" if os.environ.get("DATABASE_URL") else "SQLite"
    total = Service.objects.count()
    print(f"\n{len(queries)} queries over {total} services ({db})")
    print(f"{'':22} {'median ms':>10} {'p99 ms':>8}")
    print(f"{'huoli service_search':22} {statistics.median(huoli):>10.2f} {p99(huoli):>8.2f}")
    print(f"{'in-memory scan':22} {statistics.median(bare):>10.2f} {p99(bare):>8.2f}")
    # A DATABASE_URL database keeps nothing of the run.
    Service.objects.filter(key__startswith=f"bench-{run}-").delete()
    print(
        f"ratios huoli/scan: median {statistics.median(huoli) / statistics.median(bare):.2f}x, "
        f"p99 {p99(huoli) / p99(bare):.2f}x; aim p99 < 50 ms: "
        f"{'met' if p99(huoli) < 50 else 'not met'}"
    )


if __name__ == "__main__":
    main()

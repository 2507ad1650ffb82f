"""The information pages as first written, in every public language. Seeded when missing
(a data migration and after every ``flush``); administrators edit them in the admin and their
edits are never overwritten. Which translations still need a native speaker's review is in
docs/translations.md.

Text format: blank lines between paragraphs, "## " starts a heading, "- " a list item.
"""

from __future__ import annotations

from huoli.helpline.info_texts import TEXTS

# (slug, order): the order in which the pages are listed.
PAGES = [("signs", 1), ("talking", 2), ("contact", 3), ("safety", 4), ("professionals", 5)]


def seed_info_pages(model) -> None:
    """Add the default text of every page in every language that has none yet."""
    existing = set(model.objects.values_list("slug", "language"))
    missing = [
        model(slug=slug, language=language, order=order, title=title, summary=summary, body=body)
        for slug, order in PAGES
        for language, (title, summary, body) in TEXTS[slug].items()
        if (slug, language) not in existing
    ]
    model.objects.bulk_create(missing)

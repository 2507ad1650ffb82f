"""The default criteria of a quality review (Finnish, Swedish, English).

Seeded by a data migration and again after every ``flush`` (post_migrate, as the contact
record lists), adding only the criteria whose code is missing: administrators rename,
reorder and retire criteria, and none is deleted, so nothing they changed is undone.
"""

# (code, Finnish, Swedish, English)
REVIEW_CRITERIA = [
    ("listened", "Kuunteli ja heijasti", "Lyssnade och speglade", "Listened and reflected"),
    ("safety", "Arvioi turvallisuuden", "Bedömde säkerheten", "Safety assessed"),
    (
        "service",
        "Suositteli palvelua tarvittaessa",
        "Rekommenderade en tjänst vid behov",
        "Service recommended where needed",
    ),
    ("record", "Kirjaus on täydellinen", "Journalen är fullständig", "Record complete"),
    (
        "language",
        "Rauhallinen ja kunnioittava kieli",
        "Lugnt och respektfullt språk",
        "Calm and respectful language",
    ),
]


def seed_review_criteria(criterion_model) -> int:
    """Add the default criteria that are missing; returns how many were added."""
    known = set(criterion_model.objects.values_list("code", flat=True))
    added = 0
    for position, (code, fi, sv, en) in enumerate(REVIEW_CRITERIA, start=1):
        if code not in known:
            criterion_model.objects.create(
                code=code, name_fi=fi, name_sv=sv, name_en=en, position=position * 10
            )
            added += 1
    return added

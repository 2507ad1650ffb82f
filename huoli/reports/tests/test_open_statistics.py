"""Administrators choose the public statistics page's tables and publish quarters in the admin:
only a quarter that has ended, once; every change audited like other admin changes."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import timezone

from huoli.console.tests.test_admin_audit import assert_chain_intact, entries, post_form
from huoli.core.roles import Role
from huoli.reports.models import OPEN_TABLES, OpenStatistics, PublishedQuarter

pytestmark = pytest.mark.django_db

ADD = "/console/admin/reports/publishedquarter/add/"


@pytest.fixture
def administrator(logged_in):
    return logged_in(Role.ADMINISTRATOR)


def this_quarter() -> tuple[int, int]:
    today = timezone.localdate()
    return today.year, (today.month - 1) // 3 + 1


def test_an_administrator_publishes_an_ended_quarter_and_it_is_audited(client, administrator):
    post_form(client, ADD, year=2025, quarter=2)
    published = PublishedQuarter.objects.get()
    assert (published.year, published.quarter) == (2025, 2)
    assert published.published_by == administrator
    assert (published.start, published.end) == (date(2025, 4, 1), date(2025, 6, 30))
    [entry] = entries("admin.added", object_type="publishedquarter")
    assert entry.actor_id == administrator.pk
    assert entry.data["values"]["year"] == [None, 2025]
    assert entry.data["values"]["quarter"] == [None, 2]
    assert entry.data["values"]["published_by"] == [None, administrator.pk]
    assert_chain_intact()


def test_a_quarter_is_published_only_once_it_has_ended_and_only_once(client, administrator):
    year, quarter = this_quarter()
    response = client.post(ADD, {"year": year, "quarter": quarter}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "can be published only once it has ended" in response.content.decode()
    next_year = client.post(ADD, {"year": year + 1, "quarter": 1})
    assert next_year.status_code == 200
    assert not PublishedQuarter.objects.exists()

    post_form(client, ADD, year=2025, quarter=1)
    again = client.post(ADD, {"year": 2025, "quarter": 1})
    assert again.status_code == 200 and PublishedQuarter.objects.count() == 1
    # The refused saves left nothing in the audit log; the one publication did.
    assert len(entries("admin.added", object_type="publishedquarter")) == 1


def test_a_published_quarter_is_not_changed_and_unpublishing_is_audited(client, administrator):
    post_form(client, ADD, year=2025, quarter=3)
    published = PublishedQuarter.objects.get()
    page = client.get(f"/console/admin/reports/publishedquarter/{published.pk}/change/")
    assert page.status_code == 200  # read only
    refused = client.post(
        f"/console/admin/reports/publishedquarter/{published.pk}/change/",
        {"year": 2024, "quarter": 1},
    )
    assert refused.status_code == 403
    response = client.post(
        f"/console/admin/reports/publishedquarter/{published.pk}/delete/", {"post": "yes"}
    )
    assert response.status_code == 302
    assert not PublishedQuarter.objects.exists()
    [entry] = entries("admin.deleted", object_type="publishedquarter")
    assert entry.data["values"]["year"] == [2025, None]
    assert entry.data["values"]["quarter"] == [3, None]
    assert_chain_intact()


def test_the_tables_are_chosen_in_one_row_and_each_change_is_audited(client, administrator):
    assert OpenStatistics.current().tables == list(OPEN_TABLES)  # all five by default
    listing = client.get("/console/admin/reports/openstatistics/")
    assert listing.status_code == 302
    url = listing["Location"]
    post_form(client, url, concern=None, referral=None)
    assert OpenStatistics.current().tables == ["channel", "contacting", "language"]
    [entry] = entries("admin.changed", object_type="openstatistics")
    assert entry.data["values"] == {"concern": [True, False], "referral": [True, False]}
    assert client.get("/console/admin/reports/openstatistics/add/").status_code == 403


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.ANALYST, Role.COUNSELLOR])
def test_only_administrators_publish(client, logged_in, role):
    logged_in(role)
    response = client.post(ADD, {"year": 2025, "quarter": 1})
    assert response.status_code in (302, 403)
    assert not PublishedQuarter.objects.exists()
    assert client.get("/console/admin/reports/openstatistics/").status_code in (302, 403)


def test_the_public_labels_are_the_reports_rows_in_every_language(db):
    """The page shows cells made in Finnish under another language's labels: the labels
    must be the report's rows, in the same order, in every language."""
    from django.conf import settings
    from django.utils import translation

    from huoli.contacts.models import ListEntry
    from huoli.reports.selectors import _build, every_table, table_labels

    only_finnish = ListEntry.objects.create(
        kind="concern", code="only_fi", name_fi="Vain suomeksi", position=99
    )
    covered = set()
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            report = _build(date(2025, 1, 1), date(2025, 3, 31))
            for table in every_table(report):
                try:
                    rows = table_labels(table.key)
                except KeyError:
                    continue
                covered.add(table.key)
                assert [label for label, _lang in rows] == table.labels, (language, table.key)
            concern = dict(table_labels("concern"))
            expected = {"fi": "", "sv": "fi", "en": "fi"}.get(language, "fi")
            assert concern[only_finnish.name_fi] == expected, language
            mother = ListEntry.objects.get(kind="contacting", code="mother")
            marked = dict(table_labels("contacting"))[mother.name]
            assert marked == ("" if language in ("fi", "sv", "en") else "en"), language
    assert set(OPEN_TABLES) <= covered

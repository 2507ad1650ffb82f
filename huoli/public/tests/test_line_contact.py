"""The line's numbers and opening hours at the top of every public page (issue 19): the
numbers for the page's language as tel: links written left to right, the weekly hours in a
few lines, nothing of either when the administrators set none, and the pages still render
with the database away."""

from __future__ import annotations

import contextlib
import datetime as dt
import re

import pytest
from django.db import connection
from django.test import RequestFactory
from django.utils import translation

from huoli.core.error_views import database_unavailable
from huoli.helpline.models import LineNumber, OpeningHours, Weekday
from huoli.helpline.selectors import HoursLine
from huoli.public.line import hours_text, line_contact
from huoli.tests.ports import free_port

DEFAULT = "+358 800 000 000"
ARABIC = "+358 9 123 4567"
PAGES = ["/", "/info/", "/info/signs/", "/services/", "/message/", "/return/", "/call-back/"]


def numbers_shown(html: str) -> list[tuple[str, str]]:
    """(href, text) of each number link in the page, its non-breaking spaces as spaces."""
    found = re.findall(r'<a href="(tel:[^"]*)" dir="ltr" data-line-number>([^<]*)</a>', html)
    assert all(" " not in text for _href, text in found), "a number split over two lines"
    return [(href, text.replace("\u00a0", " ")) for href, text in found]


@pytest.fixture
def numbers(db):
    LineNumber.objects.create(number=DEFAULT)
    LineNumber.objects.create(number=ARABIC, language="ar")


def test_every_public_page_shows_the_number_of_its_language(client, numbers):
    for path in PAGES:
        for language in ("fi", "en", "so", "fa"):
            html = client.get(f"/{language}{path}").content.decode()
            assert numbers_shown(html) == [("tel:+358800000000", DEFAULT)], (language, path)
        html = client.get(f"/ar{path}").content.decode()
        assert numbers_shown(html) == [("tel:+35891234567", ARABIC)], path
        assert DEFAULT.replace(" ", "\u00a0") not in html


def test_a_language_with_two_numbers_shows_both_in_their_order(client, numbers):
    LineNumber.objects.create(number="+358 40 000 0000", language="ar", order=1)
    LineNumber.objects.filter(number=ARABIC).update(order=2)
    html = client.get("/ar/").content.decode()
    assert [text for _href, text in numbers_shown(html)] == ["+358 40 000 0000", ARABIC]


def test_no_number_and_no_hours_show_nothing(client, db):
    assert not LineNumber.objects.exists() and not OpeningHours.objects.exists()
    html = client.get("/fi/").content.decode()
    assert "line-contact" not in html and "tel:" not in html
    OpeningHours.objects.create(weekday=Weekday.MONDAY, opens=dt.time(10), closes=dt.time(18))
    html = client.get("/fi/").content.decode()
    assert 'class="line-hours"' in html and 'class="line-numbers"' not in html


def test_numbers_without_hours_show_no_hours(client, numbers):
    html = client.get("/fi/info/").content.decode()
    assert numbers_shown(html) and 'class="line-hours"' not in html


def test_the_hours_in_a_few_lines_in_the_pages_language(client, db):
    for day in range(5):
        OpeningHours.objects.create(weekday=day, opens=dt.time(10), closes=dt.time(18))
    OpeningHours.objects.create(weekday=5, opens=dt.time(14), closes=dt.time(16))
    OpeningHours.objects.create(weekday=5, opens=dt.time(10), closes=dt.time(12))
    OpeningHours.objects.create(weekday=6, opens=dt.time(18), closes=dt.time(0))
    html = client.get("/en/").content.decode()
    hours = re.search(r'<div class="line-hours">(.*?)</div>', html, re.S).group(1)
    assert re.findall(r"<li>(.*?)</li>", hours) == [
        'Monday–Friday <bdi dir="ltr">10:00–18:00</bdi>',  # noqa: RUF001
        'Saturday <bdi dir="ltr">10:00–12:00, 14:00–16:00</bdi>',  # noqa: RUF001
        'Sunday <bdi dir="ltr">18:00–24:00</bdi>',  # noqa: RUF001
    ]
    finnish = client.get("/fi/").content.decode()
    assert 'maanantai–perjantai <bdi dir="ltr">10:00–18:00</bdi>' in finnish  # noqa: RUF001


def test_an_hours_line_escapes_what_it_is_given():
    with translation.override("en"):
        text = hours_text(HoursLine(0, 0, ((dt.time(9), dt.time(17)),)))
    assert text == 'Monday <bdi dir="ltr">09:00–17:00</bdi>'  # noqa: RUF001


def test_the_numbers_and_hours_cost_two_queries(db, numbers, django_assert_num_queries):
    for day in range(7):
        OpeningHours.objects.create(weekday=day, opens=dt.time(8), closes=dt.time(20))
    LineNumber.objects.bulk_create(
        LineNumber(number=f"+358 40 000 000{n}", language="fi", order=n) for n in range(5)
    )
    with translation.override("fi"), django_assert_num_queries(2):
        shown = line_contact("fi")
        assert len(shown["line_numbers"]) == 5 and len(shown["line_hours"]) == 1


@contextlib.contextmanager
def database_unreachable():
    """The database cannot be reached at all: a path that cannot be opened (SQLite), or a
    port nobody listens on (PostgreSQL)."""
    settings_dict = connection.settings_dict
    saved = dict(settings_dict)
    connection.close()
    if connection.vendor == "sqlite":
        settings_dict["NAME"] = "/nonexistent/folder/huoli.sqlite3"
    else:
        settings_dict.update(HOST="127.0.0.1", PORT=str(free_port()))
    try:
        yield
    finally:
        connection.close()
        settings_dict.clear()
        settings_dict.update(saved)


@pytest.mark.django_db(transaction=True)
def test_with_the_database_away_the_page_saying_so_renders_without_them():
    LineNumber.objects.create(number=DEFAULT)
    request = RequestFactory().get("/fi/")
    with database_unreachable(), translation.override("fi"):
        assert line_contact("fi") == {"line_numbers": [], "line_hours": []}
        response = database_unavailable(request)
    assert response.status_code == 503
    html = response.content.decode()
    assert "line-contact" not in html and '<html lang="fi"' in html

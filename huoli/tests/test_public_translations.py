"""Every public page, in every state, in every public language: no text may be left in
another language unless it is marked so (``lang``) — such as a service known only by its
Finnish name. A text counts as untranslated when it also appears, word for word, on the
English page in the same state, or on the Finnish one (Django's fallback)."""

from __future__ import annotations

import gettext as gettext_module
import re
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

from huoli.reports import open_statistics
from huoli.tests.public_pages import SAME_EVERYWHERE, page_texts, public_pages

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _forget_guessing_limits():
    """The walk makes twelve wrong guesses from one address: leave no limit behind."""
    from django.core.cache import cache

    yield
    cache.clear()


VISITOR_LANGUAGES = [code for code, _name in settings.LANGUAGES if code != "en"]
LOCALE = Path(__file__).resolve().parents[1] / "locale"
# The texts of our own catalogue (Django's own, such as the ":" after a label, are not ours).
OUR_MSGIDS = {
    "".join(re.findall(r'"(.*)"', block)).replace('\\"', '"')
    for block in re.findall(
        r'^msgid ((?:".*"\n)+)', (LOCALE / "fi/LC_MESSAGES/django.po").read_text(), flags=re.M
    )
}
# Words that really are the same in Finnish and another language (checked by hand).
SAME_AS_FINNISH = {
    "sv": {"urdu"},
    "et": {"urdu", "kurdi (sorani)", "ukraina", "Ei", "Muu"},
}
# Words that really are the same in English and another language (checked by hand): the
# contact-record list's "Partner" on the open statistics.
SAME_AS_ENGLISH = {"sv": {"Partner"}}
# The switcher names each language in itself, on every page.
SELF_NAMES = {name for _code, name in settings.LANGUAGES}


def _rendered(language: str) -> dict:
    from django.db import transaction

    with transaction.atomic():
        pages = {name: page_texts(html) for name, html in public_pages(language)}
        transaction.set_rollback(True)
    return pages


@pytest.fixture(scope="module")
def references(django_db_setup, django_db_blocker):
    """The English pages (the source texts) and the Finnish ones (what Django falls back to
    when a catalogue lacks a text)."""
    with django_db_blocker.unblock():
        return {"en": _rendered("en"), "fi": _rendered("fi")}


@pytest.mark.parametrize("language", VISITOR_LANGUAGES)
def test_every_public_page_is_translated(language, references):
    english = references["en"]
    untranslated: dict[str, list[str]] = {}
    pages = 0
    for name, html in public_pages(language):
        pages += 1
        assert f'<html lang="{language}"' in html, name
        reference = {
            text
            for _lang, text in english[name].texts
            if text not in SAME_AS_ENGLISH.get(language, set())
        }
        if language != "fi":
            reference |= {
                text
                for _lang, text in references["fi"][name].texts
                if text not in SAME_AS_FINNISH.get(language, set())
            }
        left = sorted(
            {
                text
                for lang, text in page_texts(html).texts
                if lang == language
                and text in reference
                and text not in SELF_NAMES
                and not SAME_EVERYWHERE.match(text)
            }
        )
        if left:
            untranslated[name] = left
    assert pages == len(english) > 30
    assert untranslated == {}, f"untranslated on the {language} pages"


@contextmanager
def recorded_msgids():
    """Every text looked up in a catalogue while the block runs (singular msgids).

    Not those the open statistics' staff reports look up: the page makes its year's reports
    (every table, to check their figures together; decision 0037) in Finnish and shows a
    few tables' cells under labels it looks up again in the visitor's language
    (``reports.open_statistics``); the other tables' texts are never shown."""
    seen: set[str] = set()
    paused: list[bool] = []
    real = translation._trans
    originals = {name: getattr(real, name) for name in ("gettext", "ngettext", "pgettext")}

    def see(msgid: str) -> None:
        if not paused:
            seen.add(msgid)

    def gettext(message):
        see(str(message))
        return originals["gettext"](message)

    def ngettext(singular, plural, number):
        see(str(singular))
        return originals["ngettext"](singular, plural, number)

    def pgettext(context, message):
        see(f"{context}\x04{message}")
        return originals["pgettext"](context, message)

    staff_reports = open_statistics.year_reports

    def year_reports(year):
        paused.append(True)
        try:
            return staff_reports(year)
        finally:
            paused.pop()

    real.gettext, real.ngettext, real.pgettext = gettext, ngettext, pgettext
    open_statistics.year_reports = year_reports
    try:
        yield seen
    finally:
        for name, function in originals.items():
            setattr(real, name, function)
        open_statistics.year_reports = staff_reports


@pytest.mark.parametrize("language", [c for c in VISITOR_LANGUAGES if c not in ("fi", "sv")])
def test_every_text_a_visitor_meets_is_in_the_catalogue(language):
    """The same walk, checked text by text against the language's own catalogue (no
    fallback): this also catches a sentence whose variable part happens to be translated."""
    catalogue = gettext_module.translation("django", LOCALE, languages=[language])._catalog
    translated = {
        key if isinstance(key, str) else key[0] for key, value in catalogue.items() if value
    }
    with recorded_msgids() as seen:
        for _name, _html in public_pages(language):
            pass
    ours = {msgid for msgid in seen if msgid in OUR_MSGIDS}
    assert len(ours) > 100
    assert sorted(ours - translated) == []


def test_right_to_left_languages_are_marked_so(client):
    for language in ("ar", "fa", "ckb"):
        html = client.get(f"/{language}/").content.decode()
        assert f'<html lang="{language}" dir="rtl">' in html
    assert '<html lang="fi" dir="ltr">' in client.get("/fi/").content.decode()

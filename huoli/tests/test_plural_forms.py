"""Every catalogue carries its language's plural rule (issue 21: "4 دقيقة" needs Arabic's six
forms), and every plural text translated in a language has all of that language's forms."""

from __future__ import annotations

import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings

LOCALE = Path(__file__).resolve().parent.parent / "locale"

ONE_OTHER = {0: 1, 1: 0, 2: 1, 5: 1, 11: 1, 21: 1, 101: 1}
SLAVIC = {0: 2, 1: 0, 2: 1, 4: 1, 5: 2, 11: 2, 12: 2, 14: 2, 21: 0, 22: 1, 25: 2, 111: 2}
# The form gettext picks for each count, by the languages' grammars (CLDR's cardinal rules).
EXPECTED = {
    "fi": ONE_OTHER,
    "sv": ONE_OTHER,
    "en": ONE_OTHER,
    "et": ONE_OTHER,
    "so": ONE_OTHER,
    "ckb": ONE_OTHER,
    # Persian: 0 and 1 take the singular.
    "fa": {0: 0, 1: 0, 2: 1, 5: 1, 11: 1},
    "ru": SLAVIC,
    "uk": SLAVIC,
    # Arabic: zero, one, two, few (3-10), many (11-99), other (100-102, ...), by n % 100.
    "ar": {0: 0, 1: 1, 2: 2, 3: 3, 10: 3, 11: 4, 99: 4, 100: 5, 102: 5, 103: 3, 111: 4},
}


def catalogue(language: str) -> str:
    return (LOCALE / language / "LC_MESSAGES" / "django.po").read_text()


def plural_rule(text: str) -> tuple[int, str]:
    header = "".join(re.findall(r'"(.*)"', text.split("\n\n", 1)[0]))
    found = re.search(r"Plural-Forms: nplurals=(\d+); plural=(.*?);?\\n", header)
    assert found, "the catalogue has no Plural-Forms header"
    return int(found.group(1)), found.group(2)


def test_every_language_is_covered():
    assert set(EXPECTED) == {code for code, _name in settings.LANGUAGES}


@pytest.mark.parametrize("language", sorted(EXPECTED))
def test_the_plural_rule_is_the_languages(language):
    count, rule = plural_rule(catalogue(language))
    pick = gettext.c2py(rule)
    assert {n: pick(n) for n in EXPECTED[language]} == EXPECTED[language]
    # Russian and Ukrainian catalogues carry a fourth form, for fractions ("1,5 минуты").
    assert count == max(EXPECTED[language].values()) + 1 + (language in ("ru", "uk"))


@pytest.mark.parametrize("language", sorted(EXPECTED))
def test_a_translated_plural_text_has_every_form(language):
    text = catalogue(language)
    count, _rule = plural_rule(text)
    for block in text.split("\n\n"):
        if "msgid_plural" not in block or "#, fuzzy" in block:
            continue
        forms = re.findall(r'^msgstr\[(\d+)\] ((?:".*"\n?)+)', block, flags=re.M)
        filled = ["".join(re.findall(r'"(.*)"', value)) for _i, value in forms]
        if any(filled):
            assert len(filled) == count and all(filled), block

"""The partner materials, opened and read back: every format in every visitor language, their
page sizes, the number, hours and address in the language's text, a QR code that reads as the
language's front page with the campaign code, and Arabic script shaped and ordered."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from fontTools.ttLib import TTFont

from huoli.helpline.models import LineNumber, OpeningHours
from huoli.helpline.selectors import HoursLine
from huoli.outreach.materials import Content
from huoli.outreach.models import Campaign
from huoli.outreach.selectors import (
    MATERIALS,
    home_address,
    material_pdf,
    printed_address,
)
from huoli.outreach.tests.pdfs import char_boxes, glyph_runs, outline, pages, qr_codes
from huoli.outreach.typefaces import ARABIC, LATIN, shaped

pytestmark = pytest.mark.django_db

LANGUAGES = [code for code, _name in settings.LANGUAGES]
KINDS = [material.kind for material in MATERIALS]
# Points: A4 595 by 842, A3 842 by 1191, A5 420 by 595.
SIZES = {"poster-a4": (595, 842), "poster-a3": (842, 1191), "leaflet-a5": (420, 595),
         "cards": (595, 842)}  # fmt: skip
PAGES = {"poster-a4": 1, "poster-a3": 1, "leaflet-a5": 2, "cards": 1}
CODES_ON_FRONT = {"poster-a4": 1, "poster-a3": 1, "leaflet-a5": 1, "cards": 10}
SHARED_NUMBER = "+358 800 123 456"
ARABIC_NUMBER = "+358 9 876 5432"


@pytest.fixture
def line(db):
    """Two numbers (one answered in Arabic), weekdays 10 to 18 and a campaign code."""
    LineNumber.objects.create(number=SHARED_NUMBER)
    LineNumber.objects.create(number=ARABIC_NUMBER, language="ar")
    for day in range(5):
        OpeningHours.objects.create(weekday=day, opens=dt.time(10), closes=dt.time(18))
    return Campaign.objects.create(code="koulu", name="Schools in Helsinki")


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_material_in_every_language(line, language, kind):
    data = material_pdf(kind=kind, language=language, campaign=line)

    read = pages(data)
    assert len(read) == PAGES[kind]
    for width, height, _text in read:
        assert (round(width), round(height)) == SIZES[kind]
    text = "\n".join(page_text for _w, _h, page_text in read)
    assert (ARABIC_NUMBER if language == "ar" else SHARED_NUMBER) in text
    assert printed_address(home_address(language)) in text
    with translation.override(language):
        # Translated in every language: the opening hours' "Monday to Friday".
        friday = _("Friday")
    assert friday in text
    if language != "en":
        assert "Friday" not in text

    # Every character has its glyph: none drawn as the empty box (.notdef, glyph 0).
    for page_index in range(len(read)):
        for font, cids in glyph_runs(data, page_index):
            assert 0 not in [font.gid(cid) for cid in cids], (font.base_name, cids)

    expected = home_address(language) + "?c=koulu"
    assert qr_codes(data) == [expected] * CODES_ON_FRONT[kind]


def test_without_a_campaign_the_qr_code_is_the_plain_front_page(line):
    data = material_pdf(kind="poster-a4", language="so")
    assert qr_codes(data) == [home_address("so")]
    assert home_address("so").endswith("/so/")


def test_materials_are_made_without_opening_hours(line):
    OpeningHours.objects.all().delete()
    data = material_pdf(kind="leaflet-a5", language="fi")
    text = "\n".join(page_text for _w, _h, page_text in pages(data))
    assert SHARED_NUMBER in text
    with translation.override("fi"):
        assert _("Opening hours") not in text


def test_hours_are_days_and_times_in_a_few_rows():
    ten, four, six, midnight = dt.time(10), dt.time(16), dt.time(18), dt.time(0)
    content = Content(
        numbers=[],
        hours=[
            HoursLine(0, 4, ((ten, six),)),
            HoursLine(5, 5, ((ten, dt.time(12)), (four, six))),
            HoursLine(6, 6, ((six, midnight),)),
        ],
        address="",
        qr_address="",
    )
    with translation.override("fi"):
        rows = content.hours_rows()
    assert rows == [
        ("Maanantai\u2013perjantai", "10:00\u201318:00"),
        ("Lauantai", "10:00\u201312:00, 16:00\u201318:00"),
        ("Sunnuntai", "18:00\u201324:00"),
    ]


# --- Arabic script: shaped, ordered right to left, every letter in the font ---------------


def _outlines_of(text: str, path) -> list[tuple]:
    """HarfBuzz's shaping of ``text`` in the shipped font, as glyph outlines (visual order)."""
    font = TTFont(path)
    return [outline(font, gid) for gid, _advance in shaped(text, path)]


def _contains(haystack: list, needle: list) -> bool:
    return any(
        haystack[i : i + len(needle)] == needle for i in range(len(haystack) - len(needle) + 1)
    )


def test_arabic_is_shaped_as_harfbuzz_shapes_it(line):
    """The poster's glyphs are the joined forms HarfBuzz chooses with the shipped font, in
    visual order: fpdf2 renumbers glyphs when it cuts the font down, so they are compared by
    outline. Without shaping the PDF would hold each letter's isolated form, in logical
    order, and neither check below would hold."""
    data = material_pdf(kind="poster-a4", language="ar")
    runs = glyph_runs(data)
    regular = [
        outline(font.font, font.gid(cid))
        for font, cids in runs
        if font.base_name.endswith("+NotoSansArabic")
        for cid in cids
    ]
    # The opening hours' first day, Monday, in the regular weight.
    with translation.override("ar"):
        monday = _("Monday")
    assert monday == "الاثنين"
    assert _contains(regular, _outlines_of(monday, ARABIC[""]))
    bold = [
        outline(font.font, font.gid(cid))
        for font, cids in runs
        if font.base_name.endswith("+NotoSansArabicBold")
        for cid in cids
    ]
    with translation.override("ar"):
        question = _("Worried that someone close to you is being drawn into extremism?")
    for word in question.split():
        assert _contains(bold, _outlines_of(word, ARABIC["B"])), word

    # Each letter's joined forms are different glyphs that all stand for that one letter:
    # the PDF's ToUnicode maps several codes to the same letter.
    font = next(font for font, _cids in runs if font.base_name.endswith("+NotoSansArabic"))
    codes_per_letter: dict[str, set[int]] = {}
    for code, letters in font.to_unicode.items():
        if len(letters) == 1:
            codes_per_letter.setdefault(letters, set()).add(code)
    assert len(codes_per_letter["ن"]) >= 2  # noon: medial and final in "الاثنين"


def test_arabic_reads_right_to_left(line):
    data = material_pdf(kind="poster-a4", language="ar")
    text = pages(data)[0][2]
    # Extracted in logical order: the question's first words as written.
    assert "هل أنت قلق من أن" in text
    # "Huoli - خطّ مساعدة…" (the line's name) and "Huoli خطّ مساعدة للعائلات…" (who we are)
    # start on the right: the Latin word is right of every Arabic letter of its line, as the
    # paragraphs are right to left.
    lines: list[tuple[float, list[tuple[str, float]]]] = []
    for char, left, bottom in char_boxes(data):
        for line_bottom, chars in lines:
            if abs(line_bottom - bottom) < 10:
                chars.append((char, left))
                break
        else:
            lines.append((bottom, [(char, left)]))
    mixed = 0
    for _bottom, chars in lines:
        latin = [left for char, left in chars if char in "Huoli"]
        arabic = [left for char, left in chars if "\u0600" <= char <= "\u06ff"]
        if latin and arabic:
            mixed += 1
            assert min(latin) > max(arabic)
    assert mixed >= 2
    assert ARABIC_NUMBER in text


@pytest.mark.parametrize(
    ("path", "letters"),
    [
        (ARABIC[""], "پچژگڕۆێڵیکەھ"),  # Persian, then Sorani
        (ARABIC["B"], "پچژگڕۆێڵیکەھ"),
        (LATIN[""], "õäöüšžÕÄÖÜŠŽåÅґєіїҐЄІЇёЁ\u2019"),  # Estonian, Swedish, Ukrainian, Russian
        (LATIN["B"], "õäöüšžÕÄÖÜŠŽåÅґєіїҐЄІЇёЁ\u2019"),
    ],
)
def test_the_shipped_fonts_cover_every_script(path, letters):
    cmap = TTFont(path).getBestCmap()
    assert [letter for letter in letters if ord(letter) not in cmap] == []

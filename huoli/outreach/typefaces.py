"""The fonts of the partner materials, shipped in ``fonts/`` with their licence (OFL.txt): Noto
Sans for Latin and Cyrillic, Noto Sans Arabic for Arabic, Persian and Sorani. Text is shaped
by HarfBuzz (``uharfbuzz``): fpdf2's text shaping in the PDFs, and here to measure a line of
the badge."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import uharfbuzz as hb

FONTS = Path(__file__).resolve().parent / "fonts"
LATIN = {"": FONTS / "NotoSans-Regular.ttf", "B": FONTS / "NotoSans-Bold.ttf"}
ARABIC = {"": FONTS / "NotoSansArabic-Regular.ttf", "B": FONTS / "NotoSansArabic-Bold.ttf"}


def add_fonts(pdf, *, arabic: bool) -> str:
    """Add the fonts to an fpdf2 document; returns the family to write the language in. Latin
    is always there (numbers, addresses, and the fallback for Latin letters in Arabic text)."""
    for style, path in LATIN.items():
        pdf.add_font("latin", style, path)
    if not arabic:
        return "latin"
    for style, path in ARABIC.items():
        pdf.add_font("arabic", style, path)
    pdf.set_fallback_fonts(["latin"])
    return "arabic"


@cache
def _hb_font(path: Path) -> tuple[hb.Font, int]:
    face = hb.Face(hb.Blob.from_file_path(str(path)))
    return hb.Font(face), face.upem


def _runs(text: str, bold: bool) -> list[tuple[Path, str]]:
    """``text`` cut where the font changes: Arabic letters in Noto Sans Arabic, the rest in
    Noto Sans (as fpdf2's fallback does)."""
    style = "B" if bold else ""
    arabic, _upem = _hb_font(ARABIC[style])
    latin, _upem = _hb_font(LATIN[style])
    runs: list[tuple[Path, str]] = []
    for char in text:
        path = (
            LATIN[style]
            if latin.get_nominal_glyph(ord(char)) is not None
            or arabic.get_nominal_glyph(ord(char)) is None
            else ARABIC[style]
        )
        if runs and runs[-1][0] == path:
            runs[-1] = (path, runs[-1][1] + char)
        else:
            runs.append((path, char))
    return runs


def shaped(text: str, path: Path) -> list[tuple[int, int]]:
    """HarfBuzz's glyphs for ``text`` in one font, in visual order: (glyph id, advance)."""
    font, _upem = _hb_font(path)
    buffer = hb.Buffer()
    buffer.add_str(text)
    buffer.guess_segment_properties()
    hb.shape(font, buffer)
    return [
        (info.codepoint, position.x_advance)
        for info, position in zip(buffer.glyph_infos, buffer.glyph_positions, strict=True)
    ]


def text_width(text: str, size: float, *, bold: bool = False) -> float:
    """The width of one line of ``text`` at ``size`` (any unit: the result is in the same)."""
    width = 0.0
    for path, run in _runs(text, bold):
        _font, upem = _hb_font(path)
        width += sum(advance for _glyph, advance in shaped(run, path)) * size / upem
    return width

"""Reading the partner materials back: their pages, text, glyphs and QR codes."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from fontTools.ttLib import TTFont
from pypdf import PdfReader
from pypdf.generic import ContentStream

ZBARIMG = shutil.which("zbarimg")


def pages(data: bytes) -> list[tuple[float, float, str]]:
    """Each page's width and height in points and its text (pdfium's, in logical order)."""
    document = pdfium.PdfDocument(data)
    try:
        found = []
        for page in document:
            width, height = page.get_size()
            found.append((width, height, page.get_textpage().get_text_range()))
        return found
    finally:
        document.close()


def char_boxes(data: bytes, page_index: int = 0) -> list[tuple[str, float, float]]:
    """Every character of a page with the left edge and bottom of its box (points)."""
    document = pdfium.PdfDocument(data)
    try:
        text = document[page_index].get_textpage()
        boxes = []
        for index in range(text.count_chars()):
            left, bottom, _right, _top = text.get_charbox(index, loose=True)
            boxes.append((text.get_text_range(index, 1), left, bottom))
        return boxes
    finally:
        document.close()


def qr_codes(data: bytes, page_index: int = 0) -> list[str]:
    """What zbarimg reads in the page rendered at 144 dpi, one entry per code found.
    Skipped when zbarimg (Debian's zbar-tools) is missing, except in CI."""
    if ZBARIMG is None:
        if os.environ.get("CI"):
            pytest.fail("CI must read the QR codes, but zbarimg (zbar-tools) is missing")
        pytest.skip("zbarimg is not installed (apt-get install zbar-tools)")
    document = pdfium.PdfDocument(data)
    try:
        image = document[page_index].render(scale=2).to_pil()
    finally:
        document.close()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "page.png"
        image.save(path)
        run = subprocess.run(
            [ZBARIMG, "--quiet", "--raw", str(path)], capture_output=True, text=True, check=False
        )
    assert run.returncode in (0, 4), run.stderr  # 4: no code found
    return [line for line in run.stdout.splitlines() if line]


@dataclass
class EmbeddedFont:
    base_name: str
    cid_to_gid: bytes
    font: TTFont
    to_unicode: dict[int, str]

    def gid(self, cid: int) -> int:
        return int.from_bytes(self.cid_to_gid[2 * cid : 2 * cid + 2], "big")


def _to_unicode(cmap: bytes) -> dict[int, str]:
    found = {}
    text = cmap.decode("latin-1")
    for block in text.split("beginbfchar")[1:]:
        for line in block.split("endbfchar")[0].strip().splitlines():
            code, value = line.strip().split()
            found[int(code.strip("<>"), 16)] = bytes.fromhex(value.strip("<>")).decode("utf-16-be")
    return found


def glyph_runs(data: bytes, page_index: int = 0) -> list[tuple[EmbeddedFont, list[int]]]:
    """Each string the page shows, in order, with its font and its character ids (CIDs)."""
    reader = PdfReader(io.BytesIO(data))
    page = reader.pages[page_index]
    fonts = {}
    for name, reference in page["/Resources"]["/Font"].items():
        font = reference.get_object()
        descendant = font["/DescendantFonts"][0].get_object()
        program = descendant["/FontDescriptor"]["/FontFile2"].get_object().get_data()
        fonts[name] = EmbeddedFont(
            base_name=str(font["/BaseFont"]),
            cid_to_gid=descendant["/CIDToGIDMap"].get_object().get_data(),
            font=TTFont(io.BytesIO(program)),
            to_unicode=_to_unicode(font["/ToUnicode"].get_object().get_data()),
        )
    runs = []
    current, saved = None, []
    for operands, operator in ContentStream(page.get_contents(), reader).operations:
        if operator == b"q":
            saved.append(current)
        elif operator == b"Q":
            current = saved.pop()
        elif operator == b"Tf":
            current = fonts[operands[0]]
        elif operator == b"Tj":
            raw = getattr(operands[0], "original_bytes", None) or bytes(operands[0])
            runs.append(
                (current, [int.from_bytes(raw[i : i + 2], "big") for i in range(0, len(raw), 2)])
            )
        elif operator == b"TJ":
            raise AssertionError("TJ is not read here; fpdf2 writes Tj")
    return runs


def outline(font: TTFont, gid: int) -> tuple:
    """A glyph's outline (its points and contour ends): the same in a subset as in the font
    it was cut from, whatever its number there."""
    glyf = font["glyf"]
    coordinates, ends, _flags = glyf[font.getGlyphOrder()[gid]].getCoordinates(glyf)
    return (tuple(map(tuple, coordinates)), tuple(ends))

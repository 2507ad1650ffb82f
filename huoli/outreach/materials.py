"""Printable partner materials (issue 19): a poster (A4, A3), a leaflet (A5, two pages) and
wallet cards (85 by 55 mm, ten on an A4 sheet with crop marks), in one visitor language each.

Each carries the line's name, a few inviting sentences, the line's numbers for the language,
the weekly opening hours, the web address and a QR code to the language's home page (with a
campaign code when one is chosen). Texts are the public pages' own, so they are translated
where the pages are. Arabic, Persian and Sorani are shaped by HarfBuzz (fpdf2's text shaping)
and written right to left: the paragraphs take the right-to-left direction, columns are
mirrored, and numbers, times and addresses stay left to right. Everything is drawn in the
shipped fonts (``typefaces``) and vector shapes; nothing is fetched.

Call ``material_pdf`` inside ``translation.override(language)``: it reads the translations,
the line's numbers and hours, and the address of the language."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

import qrcode
from django.utils.text import capfirst
from django.utils.translation import get_language, get_language_bidi
from django.utils.translation import gettext as _
from fpdf import FPDF

from huoli.helpline.selectors import HoursLine
from huoli.outreach.typefaces import add_fonts

PT = 25.4 / 72  # one point in millimetres
INK = (29, 35, 48)
MUTED = (76, 84, 99)
ACCENT = (45, 95, 138)
WHITE = (255, 255, 255)
BLACK = (0, 0, 0)
# Card sheet: ten 85 x 55 mm cards, two across and five down, centred on A4 portrait.
CARD_W, CARD_H = 85.0, 55.0
CARD_COLUMNS, CARD_ROWS = 2, 5


@dataclass(frozen=True)
class Content:
    """What every material says, in the language of the moment."""

    numbers: list[str]
    hours: list[HoursLine]
    address: str  # the home page, as printed (without https://)
    qr_address: str  # the home page the QR code opens, with the campaign code if any

    def hours_rows(self) -> list[tuple[str, str]]:
        rows = []
        for line in self.hours:
            days = capfirst(line.first_name)
            if line.last != line.first:
                days = f"{days}\u2013{line.last_name}"
            rows.append((days, line.times))
        return rows


# --- A column of text blocks, measured before it is drawn ----------------------------------


@dataclass
class Block:
    """One paragraph: ``kind`` "text" is in the language (its font and direction, wrapped),
    "ltr" one line left to right in the Latin font (a number, an address), shrunk to fit;
    "hours" the opening hours, a row per line; "space" an empty gap of ``size`` mm."""

    kind: str
    text: str = ""
    size: float = 10.0
    bold: bool = False
    color: tuple[int, int, int] = INK
    after: float = 0.0  # mm below it
    rows: list[tuple[str, str]] = field(default_factory=list)
    leading: float = 1.3


class Sheet(FPDF):
    """An fpdf2 document in millimetres that knows its language's fonts and direction."""

    def __init__(self, page_format, scale: float = 1.0):
        super().__init__(unit="mm", format=page_format)
        self.rtl = get_language_bidi()
        self.scale = scale
        # Arabic letters look smaller than Latin ones at one size: a little larger reads alike.
        self.language_scale = 1.1 if self.rtl else 1.0
        self.family = add_fonts(self, arabic=self.rtl)
        self.set_auto_page_break(False)
        self.set_margins(0, 0, 0)
        self.c_margin = 0
        self.set_lang(get_language())
        self.set_creator("Huoli")
        self.set_title(_name())

    # Sizes in a design are for the smallest format; ``scale`` enlarges everything.
    def s(self, value: float) -> float:
        return value * self.scale

    def mirror(self, x: float, width: float, left: float = 0.0, right: float | None = None):
        """``x`` from the start side of [left, right] (the page): from the right when RTL."""
        right = self.w if right is None else right
        return right - (x - left) - width if self.rtl else x

    @property
    def start(self) -> str:
        return "R" if self.rtl else "L"

    def _language_font(self, size: float, bold: bool) -> None:
        self.set_font(self.family, "B" if bold else "", self.s(size) * self.language_scale)
        self.set_text_shaping(True, direction="rtl" if self.rtl else "ltr")

    def _latin_font(self, size: float, bold: bool) -> None:
        self.set_font("latin", "B" if bold else "", self.s(size))
        self.set_text_shaping(True, direction="ltr")

    def _line_height(self, block: Block, size: float) -> float:
        scale = self.language_scale if block.kind in ("text", "hours") else 1.0
        return self.s(size) * scale * PT * block.leading

    def _ltr_size(self, block: Block, width: float) -> float:
        size = block.size
        self._latin_font(size, block.bold)
        while size > 4 and self.get_string_width(block.text) > width:
            size -= 0.5
            self._latin_font(size, block.bold)
        return size

    def _hours_columns(self, block: Block, width: float, size: float) -> float:
        """The width of the days' column."""
        self._language_font(size, block.bold)
        days = max((self.get_string_width(days) for days, _times in block.rows), default=0)
        return min(days + self.s(3), width * 0.6)

    def measure(self, block: Block, width: float, shrink: float = 1.0) -> float:
        size = block.size * shrink
        if block.kind == "space":
            return self.s(block.size) * shrink
        if block.kind == "ltr":
            size = min(size, self._ltr_size(block, width))
            return self._line_height(block, size) + self.s(block.after)
        if block.kind == "hours":
            days_width = self._hours_columns(block, width, size)
            height = 0.0
            line = self._line_height(block, size)
            for days, _times in block.rows:
                self._language_font(size, block.bold)
                days_height = self.multi_cell(days_width, line, days, dry_run=True, output="HEIGHT")
                height += max(days_height, line)
            return height + self.s(block.after)
        self._language_font(size, block.bold)
        return self.multi_cell(
            width, self._line_height(block, size), block.text, dry_run=True, output="HEIGHT"
        ) + self.s(block.after)

    def draw(self, block: Block, x: float, y: float, width: float, shrink: float = 1.0) -> float:
        """Draw ``block`` at (x, y), ``width`` wide; returns the y below it."""
        size = block.size * shrink
        self.set_text_color(*block.color)
        if block.kind == "space":
            return y + self.s(block.size) * shrink
        if block.kind == "ltr":
            size = min(size, self._ltr_size(block, width))
            self.set_xy(x, y)
            self.cell(width, self._line_height(block, size), block.text, align=self.start)
            return y + self._line_height(block, size) + self.s(block.after)
        if block.kind == "hours":
            days_width = self._hours_columns(block, width, size)
            line = self._line_height(block, size)
            for days, times in block.rows:
                self._language_font(size, block.bold)
                self.set_xy(self.mirror(x, days_width, x, x + width), y)
                self.multi_cell(days_width, line, days, align=self.start)
                bottom = max(self.get_y(), y + line)
                self._latin_font(size, block.bold)
                self.set_xy(self.mirror(x + days_width, width - days_width, x, x + width), y)
                self.multi_cell(width - days_width, line, times, align=self.start)
                y = max(bottom, self.get_y())
            return y + self.s(block.after)
        self._language_font(size, block.bold)
        self.set_xy(x, y)
        self.multi_cell(width, self._line_height(block, size), block.text, align=self.start)
        return self.get_y() + self.s(block.after)

    def column_height(self, blocks: list[Block], width: float, shrink: float = 1.0) -> float:
        return sum(self.measure(block, width, shrink) for block in blocks)

    def fitting(self, blocks: list[Block], width: float, height: float, grow: float = 1.0) -> float:
        """The factor (at most ``grow``) by which the blocks' sizes change to fit ``height``."""
        factor = grow
        while factor > 0.5 and self.column_height(blocks, width, factor) > height:
            factor -= 0.04
        return factor

    def column(
        self, blocks: list[Block], x: float, y: float, width: float, shrink: float = 1.0
    ) -> float:
        for block in blocks:
            y = self.draw(block, x, y, width, shrink)
        return y

    def band(self, y: float, height: float) -> None:
        self.set_fill_color(*ACCENT)
        self.rect(0, y, self.w, height, style="F")

    def qr(self, x: float, y: float, size: float, data: str) -> None:
        """A QR code of ``data``, ``size`` mm square, dark modules as filled rectangles (one per
        run of a row). The quiet zone around it is the caller's blank paper."""
        matrix = _qr_matrix(data)
        module = size / len(matrix)
        self.set_fill_color(*BLACK)
        for row, cells in enumerate(matrix):
            column = 0
            while column < len(cells):
                if not cells[column]:
                    column += 1
                    continue
                end = column
                while end < len(cells) and cells[end]:
                    end += 1
                self.rect(
                    x + column * module, y + row * module, (end - column) * module, module, "F"
                )
                column = end


@lru_cache(maxsize=32)
def _qr_matrix(data: str) -> tuple[tuple[bool, ...], ...]:
    """The modules of a QR code of ``data`` (error correction M, no quiet zone)."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=0)
    code.add_data(data)
    code.make(fit=True)
    return tuple(tuple(row) for row in code.get_matrix())


# --- The materials -------------------------------------------------------------------------


def _name() -> str:
    return _("Huoli – a helpline for worried families")  # noqa: RUF001 (the public pages' text)


def _headline() -> str:
    return _("Worried that someone close to you is being drawn into extremism?")


def _about() -> str:
    return _(
        "Huoli is a helpline for families and friends. You can talk with a trained counsellor "
        "anonymously: you do not have to tell us your name or anyone else's."
    )


def _who_runs_it() -> str:
    return _(
        "The line is run by a non-governmental mental-health organisation. We are not the "
        "police or any other authority."
    )


def _number_blocks(content: Content, label: float, number: float, after: float) -> list[Block]:
    blocks = [Block("text", _("Call us"), label, bold=True, color=ACCENT, after=0.5)]
    blocks += [Block("ltr", n, number, bold=True, leading=1.2) for n in content.numbers]
    blocks[-1].after = after
    return blocks


def _hours_blocks(content: Content, label: float, size: float, note: float) -> list[Block]:
    rows = content.hours_rows()
    if not rows:
        return []
    return [
        Block("text", _("Opening hours"), label, bold=True, color=ACCENT, after=0.5),
        Block("hours", size=size, rows=rows, after=0.8),
        Block("text", _("Finnish time. On public holidays the hours may differ."), note,
              color=MUTED),
    ]  # fmt: skip


def _web_blocks(content: Content, label: float, address: float) -> list[Block]:
    return [
        Block("text", _("Chat or leave a message"), label, bold=True, color=ACCENT, after=0.5),
        Block("ltr", content.address, address, bold=True),
    ]


def _front(pdf: Sheet, content: Content, sizes: dict[str, float]) -> None:
    """The front of a poster or leaflet, in the design sizes of ``sizes`` (mm and pt):
    the question in a band, who we are, then the number and hours beside the QR code, and the
    address at the foot."""
    s = pdf.s
    margin = s(sizes["margin"])
    width = pdf.w - 2 * margin
    headline = [
        Block("ltr", "Huoli", sizes["brand"], bold=True, color=WHITE, after=sizes["brand"] / 5),
        Block("text", _headline(), sizes["headline"], bold=True, color=WHITE, leading=1.25),
    ]
    shrink = pdf.fitting(headline, width, pdf.h * 0.28)
    band = pdf.column_height(headline, width, shrink) + 2 * margin * 0.8
    pdf.band(0, band)
    pdf.column(headline, margin, margin * 0.8, width, shrink)

    qr_size = s(sizes["qr"])
    side = width - qr_size - margin * 0.6
    contact = _number_blocks(content, sizes["label"], sizes["number"], sizes["label"] / 3)
    contact += _hours_blocks(content, sizes["label"] * 0.85, sizes["hours"], sizes["note"])
    contact_shrink = pdf.fitting(contact, side, pdf.h * 0.3)
    bottom_height = max(pdf.column_height(contact, side, contact_shrink), qr_size)
    web = _web_blocks(content, sizes["label"] * 0.8, sizes["address"])
    web_height = pdf.column_height(web, width)
    web_y = pdf.h - margin - web_height
    bottom_y = web_y - margin * 0.5 - bottom_height

    about = [
        Block("text", _name(), sizes["name"], bold=True, color=ACCENT, after=sizes["name"] / 5),
        Block("text", _about(), sizes["about"], after=sizes["about"] / 3.5),
        Block("text", _who_runs_it(), sizes["about"] * 0.75, color=MUTED),
    ]
    top, room = band + margin * 0.7, bottom_y - margin * 1.2 - band - margin * 0.7
    shrink = pdf.fitting(about, width, room)
    # Centred in its room, a little above the middle.
    spare = room - pdf.column_height(about, width, shrink)
    pdf.column(about, margin, top + spare * 0.4, width, shrink)

    pdf.set_draw_color(*ACCENT)
    pdf.set_line_width(s(0.6))
    line_y = bottom_y - margin * 0.6
    pdf.line(margin, line_y, margin + width, line_y)
    pdf.column(contact, pdf.mirror(margin, side), bottom_y, side, contact_shrink)
    pdf.qr(pdf.mirror(margin + width - qr_size, qr_size), bottom_y, qr_size, content.qr_address)
    pdf.column(web, margin, web_y, width)


POSTER = {"margin": 16, "brand": 16, "headline": 32, "name": 22, "about": 17, "label": 15,
          "number": 36, "hours": 13, "note": 9.5, "qr": 52, "address": 15}  # fmt: skip
LEAFLET = {"margin": 11, "brand": 11, "headline": 21, "name": 15, "about": 12, "label": 11,
           "number": 22, "hours": 9.5, "note": 7.5, "qr": 34, "address": 10.5}  # fmt: skip


def poster_a4(content: Content) -> bytes:
    pdf = Sheet("A4")
    pdf.add_page()
    _front(pdf, content, POSTER)
    return bytes(pdf.output())


def poster_a3(content: Content) -> bytes:
    """The A4 poster enlarged: A3 is √2 times A4 every way."""
    pdf = Sheet("A3", scale=math.sqrt(2))
    pdf.add_page()
    _front(pdf, content, POSTER)
    return bytes(pdf.output())


def leaflet_a5(content: Content) -> bytes:
    """Two pages, printed back to back: the front as the poster's; then the ways to reach a
    counsellor, the number and hours, and who runs the line."""
    pdf = Sheet((148, 210))
    pdf.add_page()
    _front(pdf, content, LEAFLET)

    pdf.add_page()
    margin = LEAFLET["margin"]
    width = pdf.w - 2 * margin
    ways = []
    for heading, text in (
        (_("Chat"), _("You can chat with a counsellor during opening hours or leave a message "
                      "at any time. You do not have to give your name.")),
        (_("Write to us"), _("Leave a message at any time. A counsellor answers, usually within "
                             "a day, and you read the answer with your return code.")),
        (_("We call you"), _("Choose times that suit you, and a counsellor phones you from the "
                             "helpline's own number.")),
    ):  # fmt: skip
        ways += [
            Block("text", heading, 12.5, bold=True, color=ACCENT, after=1),
            Block("text", text, 10.5, after=6),
        ]
    ways += _number_blocks(content, 12.5, 18, 5) + _hours_blocks(content, 11, 10.5, 8.5)
    ways += [
        Block("space", size=7),
        Block("text", _("You can stay anonymous."), 11.5, bold=True, after=1.5),
        Block("text", _who_runs_it(), 10, color=MUTED, after=7),
        *_web_blocks(content, 10, 11),
    ]
    shrink = pdf.fitting(ways, width, pdf.h - 2 * margin, grow=1.3)
    pdf.column(ways, margin, margin, width, shrink)
    return bytes(pdf.output())


@dataclass(frozen=True)
class _CardPlan:
    """The sizes of a card's parts, measured once for the ten cards of a sheet."""

    name: list[Block]
    name_shrink: float
    name_y: float  # from the card's top
    contact: list[Block]
    contact_shrink: float
    web: list[Block]
    web_y: float


CARD_PAD, CARD_BAND_TOP, CARD_BAND, CARD_QR = 4.0, 3.0, 10.5, 22.0


def _card_plan(pdf: Sheet, content: Content) -> _CardPlan:
    inner = CARD_W - 2 * CARD_PAD
    name = [Block("text", _name(), 9, bold=True, color=WHITE, leading=1.15)]
    name_shrink = pdf.fitting(name, inner, CARD_BAND - 1.5)
    name_height = pdf.column_height(name, inner, name_shrink)
    web = _web_blocks(content, 6.5, 8)
    web_y = CARD_H - CARD_PAD - pdf.column_height(web, inner)
    contact = _number_blocks(content, 7, 14, 1.2)
    if rows := content.hours_rows():
        contact.append(Block("hours", size=6.5, rows=rows, leading=1.25))
    side = inner - CARD_QR - 3
    body_top = CARD_BAND_TOP + CARD_BAND + 2.5
    return _CardPlan(
        name=name,
        name_shrink=name_shrink,
        name_y=CARD_BAND_TOP + (CARD_BAND - name_height) / 2,
        contact=contact,
        contact_shrink=pdf.fitting(contact, side, web_y - body_top - 1),
        web=web,
        web_y=web_y,
    )


def _card(pdf: Sheet, content: Content, plan: _CardPlan, left: float, top: float) -> None:
    """One 85 x 55 mm card with its top-left corner at (left, top). Nothing is printed within
    3 mm of its edges, so a cut a little off the mark leaves no colour on the next card."""
    inner_left, inner_right = left + CARD_PAD, left + CARD_W - CARD_PAD
    inner = CARD_W - 2 * CARD_PAD
    pdf.set_fill_color(*ACCENT)
    pdf.rect(left + 3, top + CARD_BAND_TOP, CARD_W - 6, CARD_BAND, style="F",
             round_corners=True, corner_radius=1.5)  # fmt: skip
    pdf.column(plan.name, inner_left, top + plan.name_y, inner, plan.name_shrink)
    side = inner - CARD_QR - 3
    body_top = top + CARD_BAND_TOP + CARD_BAND + 2.5
    pdf.column(plan.contact, pdf.mirror(inner_left, side, inner_left, inner_right), body_top,
               side, plan.contact_shrink)  # fmt: skip
    pdf.qr(  # 4 modules of blank paper under the band (3 mm), as QR codes want
        pdf.mirror(inner_right - CARD_QR, CARD_QR, inner_left, inner_right),
        body_top + 1,
        CARD_QR,
        content.qr_address,
    )
    pdf.column(plan.web, inner_left, top + plan.web_y, inner)


def _crop_marks(pdf: Sheet, left: float, top: float) -> None:
    """Short lines in the margins on the line of every cut, 2 mm off the cards."""
    right, bottom = left + CARD_COLUMNS * CARD_W, top + CARD_ROWS * CARD_H
    gap, length = 2.0, 5.0
    pdf.set_draw_color(*BLACK)
    pdf.set_line_width(0.15)
    for column in range(CARD_COLUMNS + 1):
        x = left + column * CARD_W
        pdf.line(x, top - gap - length, x, top - gap)
        pdf.line(x, bottom + gap, x, bottom + gap + length)
    for row in range(CARD_ROWS + 1):
        y = top + row * CARD_H
        pdf.line(left - gap - length, y, left - gap, y)
        pdf.line(right + gap, y, right + gap + length, y)


def wallet_cards(content: Content) -> bytes:
    """Ten wallet cards on an A4 sheet, to print at actual size and cut along the marks."""
    pdf = Sheet("A4")
    pdf.add_page()
    left = (pdf.w - CARD_COLUMNS * CARD_W) / 2
    top = (pdf.h - CARD_ROWS * CARD_H) / 2
    plan = _card_plan(pdf, content)
    for row in range(CARD_ROWS):
        for column in range(CARD_COLUMNS):
            _card(pdf, content, plan, left + column * CARD_W, top + row * CARD_H)
    _crop_marks(pdf, left, top)
    return bytes(pdf.output())


MAKERS: dict[str, Callable[[Content], bytes]] = {
    "poster-a4": poster_a4,
    "poster-a3": poster_a3,
    "leaflet-a5": leaflet_a5,
    "cards": wallet_cards,
}

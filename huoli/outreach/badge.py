"""The partner badge (issue 19): a small image with the line's name and an invitation, in one
visitor language, and the HTML a partner pastes on their website to link to that language's
home page. The image is plain SVG text drawn by the reader's browser (so Arabic, Persian and
Sorani are shaped there, right to left with ``direction="rtl"``); its size is measured with
the shipped Noto fonts and some room to spare, the text centred. The snippet is a link around
an image: no script, no frame, nothing that sets or reads a cookie, no referrer sent.

Call these inside ``translation.override(language)``."""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.utils.html import escape, format_html
from django.utils.translation import get_language, get_language_bidi
from django.utils.translation import gettext as _

from huoli.outreach.typefaces import text_width

BACKGROUND = "#2d5f8a"
FOREGROUND = "#ffffff"
FONT_FAMILY = "'Noto Sans', 'Noto Sans Arabic', system-ui, 'Segoe UI', Roboto, Arial, sans-serif"
NAME_SIZE, NAME_LINE = 16, 21  # px
INVITATION_SIZE, INVITATION_LINE = 13, 18
PADDING, TOP, GAP, BOTTOM = 16, 11, 3, 11
WIDEST = 290  # a line's text, px, before the room to spare
ROOM = 1.12  # a browser's font may be a little wider than Noto


@dataclass(frozen=True)
class Badge:
    name: str
    invitation: str
    name_lines: tuple[str, ...]
    invitation_lines: tuple[str, ...]
    width: int
    height: int

    @property
    def alt(self) -> str:
        return self.name


def _lines(text: str, size: int, bold: bool = False) -> list[tuple[str, float]]:
    """``text`` on one line, or on two of about equal width when one would be wider than
    ``WIDEST`` px (on more only when two are not enough); with each line's width."""
    whole = text_width(text, size, bold=bold)
    words = text.split()
    if whole <= WIDEST or len(words) == 1:
        return [(text, whole)]
    splits = []
    for cut in range(1, len(words)):
        lines = [" ".join(words[:cut]), " ".join(words[cut:])]
        splits.append([(line, text_width(line, size, bold=bold)) for line in lines])
    best = min(splits, key=lambda lines: max(width for _line, width in lines))
    if max(width for _line, width in best) <= WIDEST:
        return best
    lines: list[tuple[str, float]] = []
    for word in words:
        if lines:
            joined = f"{lines[-1][0]} {word}"
            width = text_width(joined, size, bold=bold)
            if width <= WIDEST:
                lines[-1] = (joined, width)
                continue
        lines.append((word, text_width(word, size, bold=bold)))
    return lines


def badge() -> Badge:
    name = _("Huoli – a helpline for worried families")  # noqa: RUF001 (the public pages' text)
    invitation = _("Chat or leave a message")
    name_lines = _lines(name, NAME_SIZE, bold=True)
    invitation_lines = _lines(invitation, INVITATION_SIZE)
    widest = max(width for _line, width in name_lines + invitation_lines)
    return Badge(
        name=name,
        invitation=invitation,
        name_lines=tuple(line for line, _width in name_lines),
        invitation_lines=tuple(line for line, _width in invitation_lines),
        width=math.ceil(widest * ROOM) + 2 * PADDING,
        height=TOP + NAME_LINE * len(name_lines) + GAP
        + INVITATION_LINE * len(invitation_lines) + BOTTOM,
    )  # fmt: skip


def badge_svg() -> str:
    b = badge()
    language = get_language()
    direction = ' direction="rtl"' if get_language_bidi() else ""
    middle = b.width / 2
    texts = []
    baseline = TOP
    for line in b.name_lines:
        baseline += NAME_LINE
        texts.append(
            f'<text x="{middle}" y="{baseline - 5}" font-size="{NAME_SIZE}" font-weight="700">'
            f"{escape(line)}</text>"
        )
    baseline += GAP
    for line in b.invitation_lines:
        baseline += INVITATION_LINE
        texts.append(
            f'<text x="{middle}" y="{baseline - 4}" font-size="{INVITATION_SIZE}">'
            f"{escape(line)}</text>"
        )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{b.width}" height="{b.height}" '
        f'viewBox="0 0 {b.width} {b.height}" role="img" aria-labelledby="title" '
        f'lang="{language}" xml:lang="{language}">'
        f'<title id="title">{escape(b.alt)}</title>'
        f'<rect width="{b.width}" height="{b.height}" rx="8" fill="{BACKGROUND}"/>'
        f'<g fill="{FOREGROUND}" font-family="{FONT_FAMILY}" text-anchor="middle"{direction}>'
        + "".join(texts)
        + "</g></svg>\n"
    )


def badge_snippet(home: str, image: str) -> str:
    """The link to ``home`` around the image at ``image``."""
    b = badge()
    language = get_language()
    return format_html(
        '<a href="{}" hreflang="{}" rel="noreferrer"><img src="{}" width="{}" height="{}" '
        'alt="{}" lang="{}" dir="{}" referrerpolicy="no-referrer"></a>',
        home,
        language,
        image,
        b.width,
        b.height,
        b.alt,
        language,
        "rtl" if get_language_bidi() else "ltr",
    )

"""Information pages for families: choosing the page in the visitor's language and turning
its plain text into safe HTML."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.html import escape, format_html_join
from django.utils.safestring import SafeString, mark_safe

from huoli.helpline.models import InfoPage


def render_body(text: str) -> SafeString:
    """Plain text to HTML, everything escaped: a line starting with "## " is a heading, lines
    starting with "- " make a list, other lines make paragraphs (a blank line ends one)."""
    parts: list[str] = []
    paragraph: list[str] = []
    items: list[str] = []

    def flush() -> None:
        if paragraph:
            parts.append("<p>" + "<br>".join(escape(line) for line in paragraph) + "</p>")
            paragraph.clear()
        if items:
            parts.append(f"<ul>{format_html_join('', '<li>{}</li>', ((i,) for i in items))}</ul>")
            items.clear()

    for raw in text.replace("\r\n", "\n").split("\n"):
        line = raw.strip()
        if not line:
            flush()
        elif line.startswith("## "):
            flush()
            parts.append(f"<h2>{escape(line[3:].strip())}</h2>")
        elif line.startswith("- "):
            if paragraph:
                flush()
            items.append(line[2:].strip())
        else:
            if items:
                flush()
            paragraph.append(line)
    flush()
    return mark_safe("\n".join(parts))  # noqa: S308 - every piece above is escaped


@dataclass(frozen=True)
class PageChoice:
    page: InfoPage
    fallback: bool  # not (yet) written in the visitor's language


def pages_for(language: str) -> list[PageChoice]:
    """One page per slug: in ``language`` when written, else in English, else any."""
    best: dict[str, tuple[int, InfoPage]] = {}
    for page in InfoPage.objects.order_by("order", "slug"):
        rank = 0 if page.language == language else 1 if page.language == "en" else 2
        if page.slug not in best or rank < best[page.slug][0]:
            best[page.slug] = (rank, page)
    return [PageChoice(page=page, fallback=rank > 0) for rank, page in best.values()]


def page_for(slug: str, language: str) -> PageChoice | None:
    return next((choice for choice in pages_for(language) if choice.page.slug == slug), None)


def page_languages_of(slug: str) -> list[str]:
    """The languages a page is written in."""
    return list(InfoPage.objects.filter(slug=slug).values_list("language", flat=True))

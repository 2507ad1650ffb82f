"""Information pages for families: choosing the page in the visitor's language and turning
its plain text into safe HTML."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.html import escape, format_html_join
from django.utils.safestring import SafeString, mark_safe

from huoli.helpline.models import InfoPage


def render_body(text: str) -> SafeString:
    """Plain text to HTML: paragraphs, "## " headings and "- " lists; everything escaped."""
    parts: list[str] = []
    for block in text.replace("\r\n", "\n").split("\n\n"):
        lines = [line.strip() for line in block.strip().split("\n") if line.strip()]
        if not lines:
            continue
        if lines[0].startswith("## ") and len(lines) == 1:
            parts.append(f"<h2>{escape(lines[0][3:].strip())}</h2>")
        elif all(line.startswith("- ") for line in lines):
            items = format_html_join("", "<li>{}</li>", ((line[2:].strip(),) for line in lines))
            parts.append(f"<ul>{items}</ul>")
        else:
            parts.append("<p>" + "<br>".join(escape(line) for line in lines) + "</p>")
    return mark_safe("\n".join(parts))  # noqa: S308 - every piece above is escaped


@dataclass(frozen=True)
class PageChoice:
    page: InfoPage
    fallback: bool  # not (yet) written in the visitor's language


def pages_for(language: str) -> list[PageChoice]:
    """One page per slug: in ``language`` when written, else in English, else any."""
    chosen: dict[str, PageChoice] = {}
    for page in InfoPage.objects.order_by("order", "slug"):
        current = chosen.get(page.slug)
        rank = 0 if page.language == language else 1 if page.language == "en" else 2
        if current is None or rank < current.rank:
            chosen[page.slug] = _Ranked(page=page, fallback=rank > 0, rank=rank)
    return [PageChoice(page=c.page, fallback=c.fallback) for c in chosen.values()]


@dataclass(frozen=True)
class _Ranked(PageChoice):
    rank: int = 0


def page_for(slug: str, language: str) -> PageChoice | None:
    return next((choice for choice in pages_for(language) if choice.page.slug == slug), None)

"""What every public page needs: its own languages (the switcher), the information pages
(the footer), the line's numbers and hours (the header), the links search engines read, and
the campaign code its links and forms carry on (``public/campaign.py``)."""

from __future__ import annotations

from django.conf import settings
from django.db import DatabaseError
from django.urls import reverse, translate_url
from django.utils.translation import get_language, get_language_info

from huoli.public.campaign import PARAMETER, campaign_code, campaign_query
from huoli.public.line import line_contact
from huoli.public.seo import head_links


def languages(request):
    """``public_languages``: each visitor language, named in itself, with this page's address
    in it (a POST's result links to the home page instead); ``info_page_links``; the line's
    numbers and hours (``public.line.line_contact``); the page's robots, canonical and
    alternate links (``public.seo.head_links``); ``campaign``, the visit's campaign code (""
    without), and ``campaign_query`` (``?c=…`` or "") for links. Only on public pages."""
    if request.path.startswith("/console/"):
        return {}
    current = get_language()
    campaign = campaign_code(request)
    # The result of a form (a POST) has no address to offer again: switch on the home page,
    # with the campaign code the form carried.
    path = request.path if request.method == "GET" else reverse("public:home")
    if request.method == "GET":
        # The page's own parameters, with the campaign code only if it is well formed.
        kept = request.GET.copy()
        kept.pop(PARAMETER, None)
        if campaign:
            kept[PARAMETER] = campaign
        query = f"?{kept.urlencode()}" if kept else ""
    else:
        query = campaign_query(campaign)
    links = []
    for code, name in settings.LANGUAGES:
        info = get_language_info(code)
        links.append(
            {
                "code": code,
                "name": name,
                "bidi": info["bidi"],
                "url": translate_url(path, code) + query,
                "current": code == current,
            }
        )
    return {
        "public_languages": links,
        "info_page_links": _info_page_links(current),
        "campaign": campaign,
        "campaign_query": campaign_query(campaign),
        **line_contact(current),
        **head_links(request),
    }


def _info_page_links(language: str) -> list[dict]:
    """The information pages in the visitor's language (the footer, the home page and the
    lists use the same); none while the database is away (the page saying so must still
    render)."""
    from huoli.helpline.info import pages_for

    try:
        return [
            {
                "slug": choice.page.slug,
                "title": choice.page.title,
                "summary": choice.page.summary,
                "language": choice.page.language,
                "fallback": choice.fallback,
                "url": reverse("public:info", args=[choice.page.slug]),
            }
            for choice in pages_for(language)
        ]
    except DatabaseError:
        return []

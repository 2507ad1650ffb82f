"""Reads of the outreach app: the active campaign codes, their counts (the statistics'
"Campaign codes" table), and what partners get to print and to
put on their websites (PDF materials, the badge). Nothing here is personal: the materials say
what the public pages say."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import QuerySet, Sum
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from huoli.core.addresses import public_address
from huoli.helpline.selectors import line_numbers, weekly_hours
from huoli.outreach import badge, materials
from huoli.outreach.models import Campaign, CampaignCount


@dataclass(frozen=True)
class Material:
    kind: str  # in the address and the file name
    label: str


MATERIALS = [
    Material("poster-a4", _("Poster, A4")),
    Material("poster-a3", _("Poster, A3")),
    Material("leaflet-a5", _("Leaflet, A5, two pages")),
    Material("cards", _("Wallet cards, ten on an A4 sheet")),
]
MATERIAL_KINDS = {material.kind for material in MATERIALS}


def active_campaigns() -> QuerySet[Campaign]:
    return Campaign.objects.filter(active=True)


def active_campaign(code: str) -> Campaign | None:
    """The active campaign with ``code``; None for an empty or unknown code."""
    if not code:
        return None
    return active_campaigns().filter(code=code).first()


def home_address(language: str, campaign: Campaign | None = None, request=None) -> str:
    """The language's home page, with ``?c=<code>`` when a campaign is given."""
    with translation.override(language):
        address = public_address(reverse("public:home"), request)
    if campaign is not None:
        address += "?" + urlencode({"c": campaign.code})
    return address


def printed_address(address: str) -> str:
    """An address as printed: without ``https://``, which browsers add themselves."""
    return address.removeprefix("https://")


def languages_with_numbers() -> dict[str, list[str]]:
    """The line's numbers for each visitor language that has any (its own or the shared)."""
    result = {}
    for code, _name in settings.LANGUAGES:
        numbers = [row.number for row in line_numbers(code)]
        if numbers:
            result[code] = numbers
    return result


def material_pdf(
    *, kind: str, language: str, campaign: Campaign | None = None, request=None
) -> bytes:
    """The PDF of one material in one visitor language. Raises KeyError for an unknown kind
    or language; expects the language to have a number (``languages_with_numbers``)."""
    if language not in dict(settings.LANGUAGES):
        raise KeyError(language)
    make = materials.MAKERS[kind]
    address = home_address(language, request=request)
    with translation.override(language):
        content = materials.Content(
            numbers=[row.number for row in line_numbers(language)],
            hours=weekly_hours(),
            address=printed_address(address),
            qr_address=home_address(language, campaign, request),
        )
        return make(content)


def material_filename(kind: str, language: str, campaign: Campaign | None = None) -> str:
    suffix = f"-{campaign.code}" if campaign is not None else ""
    return f"huoli-{kind}-{language}{suffix}.pdf"


def badge_svg(language: str) -> str:
    """The partner badge's image in ``language`` (KeyError for another)."""
    if language not in dict(settings.LANGUAGES):
        raise KeyError(language)
    with translation.override(language):
        return badge.badge_svg()


def badge_facts(language: str) -> badge.Badge:
    """The badge's texts and size in ``language``: its alt text, width and height."""
    with translation.override(language):
        return badge.badge()


def badge_snippet(language: str, campaign: Campaign | None = None, request=None) -> str:
    """The HTML a partner pastes on their site: a link to the language's home page around the
    badge's image, served by Huoli. No script, no frame, no cookie."""
    image = public_address(reverse("badge", kwargs={"language": language}), request)
    with translation.override(language):
        return badge.badge_snippet(home_address(language, campaign, request), image)


def campaign_counts(first: date | None, last: date | None) -> list[tuple[Campaign, int]]:
    """Every campaign ever made (active or not, used or not: a row listed only where it was
    used would tell that it holds one), with the sum of its months from ``first`` to
    ``last`` (first days of months); 0 for all without months (``first`` None)."""
    sums: dict[int, int] = {}
    if first is not None and last is not None and first <= last:
        sums = {
            row["campaign"]: row["n"]
            for row in CampaignCount.objects.filter(month__gte=first, month__lte=last)
            .order_by()
            .values("campaign")
            .annotate(n=Sum("count"))
        }
    return [(campaign, sums.get(campaign.pk, 0)) for campaign in Campaign.objects.order_by("code")]

"""Reads of the service directory: search as you type, filters and ranking."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from huoli.directory.models import Service, fold

MAX_RESULTS = 20


@dataclass(frozen=True)
class ServiceFilters:
    query: str = ""
    category: str = ""
    municipality: str = ""
    language: str = ""
    anonymous: bool = False


def _filtered(services: QuerySet[Service], filters: ServiceFilters) -> QuerySet[Service]:
    if filters.category:
        services = services.filter(category=filters.category)
    if filters.municipality:
        services = services.filter(municipality__iexact=filters.municipality)
    if filters.anonymous:
        services = services.filter(accepts_anonymous=True)
    for word in fold(filters.query).split():
        services = services.filter(search_text__contains=word)
    return services


def _rank(service: Service, words: list[str]) -> tuple:
    """Names before descriptions, a name starting with the word first, then the name."""
    score = 0
    for word in words:
        if any(part.startswith(word) for part in service.name_text.split()):
            score += 3
        elif word in service.name_text:
            score += 2
        else:
            score += 1
    return (-score, service.name_fi)


def service_search(
    filters: ServiceFilters, *, public_only: bool = False, limit: int = MAX_RESULTS
) -> list[Service]:
    """Active services matching every word (in any language), ranked. The language filter
    keeps services that serve the language."""
    services = Service.objects.filter(active=True)
    if public_only:
        services = services.filter(public=True)
    services = _filtered(services, filters)
    found = list(services.defer("search_text"))
    if filters.language:
        found = [s for s in found if filters.language in (s.languages_served or [])]
    words = fold(filters.query).split()
    found.sort(key=lambda service: _rank(service, words))
    return found[:limit]


def services_to_verify() -> QuerySet[Service]:
    """Active services never verified or not verified for a year, oldest first."""
    from django.db.models import Q
    from django.utils import timezone

    from huoli.directory.models import VERIFY_EVERY

    cutoff = timezone.localdate() - VERIFY_EVERY
    return (
        Service.objects.filter(active=True)
        .filter(Q(last_verified__isnull=True) | Q(last_verified__lt=cutoff))
        .order_by("last_verified", "name_fi")
    )


def municipalities() -> list[str]:
    return list(
        Service.objects.filter(active=True)
        .order_by("municipality")
        .values_list("municipality", flat=True)
        .distinct()
    )

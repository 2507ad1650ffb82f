"""Reads of the service directory: search as you type, filters and ranking."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Case, Q, QuerySet, TextField, Value, When
from django.db.models.functions import Cast

from huoli.contacts.models import ContactRecord
from huoli.conversations.models import Message
from huoli.directory.models import SHARED_CARD_PREFIX, Service, fold

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
    if filters.language:
        # A JSON list of codes: its text holds the code in quotes (SQLite and PostgreSQL).
        services = services.annotate(languages_text=Cast("languages_served", TextField()))
        services = services.filter(languages_text__contains=f'"{filters.language}"')
    for word in fold(filters.query).split():
        services = services.filter(search_text__contains=word)
    return services


def _score(words: list[str]):
    """Per word: 3 when a word of a name starts with it, 2 when a name holds it, else 1
    (it is in a description). Computed by the database, so only the best rows come back."""
    total = Value(0)
    for word in words:
        total = total + Case(
            When(Q(name_text__startswith=word) | Q(name_text__contains=f" {word}"),
                 then=Value(3)),
            When(name_text__contains=word, then=Value(2)),
            default=Value(1),
        )  # fmt: skip
    return total


def service_search(
    filters: ServiceFilters, *, public_only: bool = False, limit: int = MAX_RESULTS
) -> list[Service]:
    """Active services matching every word (in any language), best first: names before
    descriptions, then by Finnish name. The language filter keeps services serving it."""
    services = Service.objects.filter(active=True)
    if public_only:
        services = services.filter(public=True)
    services = _filtered(services, filters)
    words = fold(filters.query).split()
    ordered = services.annotate(score=_score(words)).order_by("-score", "name_fi", "pk")
    return list(ordered.defer("search_text", "name_text")[:limit])


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


def services_shared_to_refer(record: ContactRecord) -> list[Service]:
    """The services shared with the visitor during the record's contact (its conversation,
    from the record's start to its end), in the order shared, that the record does not
    have as referrals yet: the record offers them as referrals."""
    if record.pk is None or record.conversation_id is None:
        return []
    messages = Message.objects.filter(
        conversation_id=record.conversation_id,
        sender=Message.Sender.COUNSELLOR,
        client_id__startswith=SHARED_CARD_PREFIX,
        created_at__gte=record.started_at,
    )
    if record.ended_at is not None:
        messages = messages.filter(created_at__lte=record.ended_at)
    ids = []
    for client_id in messages.order_by("seq").values_list("client_id", flat=True):
        number = client_id.removeprefix(SHARED_CARD_PREFIX).split("-", 1)[0]
        if number.isdigit() and int(number) not in ids:
            ids.append(int(number))
    referred = set(record.referrals.values_list("service_id", flat=True))
    services = Service.objects.in_bulk([pk for pk in ids if pk not in referred])
    return [services[pk] for pk in ids if pk in services]

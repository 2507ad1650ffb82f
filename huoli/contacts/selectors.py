"""Reads about contact records, scoped by the policy; opening one is audited."""

from __future__ import annotations

from django.db.models import QuerySet

from huoli.contacts.models import ContactRecord, ListEntry
from huoli.core.audit import audit_record
from huoli.core.policy import get_or_404, records_scope


def access_record(user, record_id: int, *, purpose: str = "read") -> ContactRecord:
    record = get_or_404(
        records_scope(user, ContactRecord.objects.select_related("case", "conversation")),
        pk=record_id,
    )
    audit_record(
        actor=user, action=f"record.{purpose}", object_type="contact_record", object_id=record.pk
    )
    return record


def records_to_complete(user) -> QuerySet[ContactRecord]:
    """The user's own drafts, oldest first."""
    return records_scope(
        user,
        ContactRecord.objects.filter(counsellor=user, status=ContactRecord.Status.DRAFT)
        .select_related("contact_type")
        .order_by("started_at"),
    )


def list_entries(kind: str, *, keep: list[int] | tuple = ()) -> QuerySet[ListEntry]:
    """Entries in use, plus retired ones a record already has (``keep``)."""
    from django.db.models import Q

    return ListEntry.objects.filter(Q(active=True) | Q(pk__in=list(keep)), kind=kind).order_by(
        "position", "pk"
    )

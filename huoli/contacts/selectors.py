"""Reads about contact records, scoped by the policy; opening one is audited."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q, QuerySet

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


def next_record_to_complete(user, *, after: ContactRecord | None = None) -> ContactRecord | None:
    """The user's oldest draft whose contact is over (a live chat's record waits for its
    end), other than ``after``: where "Complete record" leads next."""
    drafts = records_to_complete(user).filter(
        Q(ended_at__isnull=False) | Q(conversation__isnull=True)
    )
    if after is not None:
        drafts = drafts.exclude(pk=after.pk)
    return drafts.first()


# The action ticked when the visitor got a return code (contacts/defaults.py).
RETURN_CODE_ACTION = "return_code"


@dataclass(frozen=True)
class RecordStart:
    """What a new draft record knows from its conversation before anyone types."""

    channel: str
    language: str
    interpreter_used: bool = False
    interpreter_language: str = ""
    action_codes: tuple[str, ...] = field(default=())


def record_start_from(conversation, *, first_contact: bool) -> RecordStart:
    """The first values of the record of a contact in ``conversation`` (taken duck-typed:
    ``kind``, ``language``, ``interpreter_needed``): the channel (a call or a call-back is
    recorded as a phone call), the language, an interpreter when no counsellor spoke the visitor's
    language, and "Gave a return code" on the first contact of a chat or message exchange
    (callers get none; a returning visitor already had theirs)."""
    interpreter = bool(getattr(conversation, "interpreter_needed", False))
    gave_code = first_contact and conversation.kind in ("chat", "message")
    # A call's or a call-back's conversation is recorded as a phone call.
    phone = conversation.kind in ("call", "callback")
    return RecordStart(
        channel=ContactRecord.Channel.PHONE if phone else conversation.kind,
        language=conversation.language,
        interpreter_used=interpreter,
        interpreter_language=conversation.language if interpreter else "",
        action_codes=(RETURN_CODE_ACTION,) if gave_code else (),
    )


def list_entries(kind: str, *, keep: list[int] | tuple = ()) -> QuerySet[ListEntry]:
    """Entries in use, plus retired ones a record already has (``keep``)."""
    return ListEntry.objects.filter(Q(active=True) | Q(pk__in=list(keep)), kind=kind).order_by(
        "position", "pk"
    )

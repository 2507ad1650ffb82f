"""Writes about contact records. Chats and message exchanges get a draft record
automatically; phone calls are logged by hand. Completing needs the fields statistics rely on."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from huoli.accounts.models import User
from huoli.cases.models import Case
from huoli.cases.services import case_create
from huoli.contacts.models import NON_COUNSELLING, ContactRecord
from huoli.core.audit import audit_record
from huoli.core.errors import DomainError


class RecordError(DomainError):
    """A refused change to a contact record (message already translated)."""


def _current_for_conversation(conversation) -> ContactRecord | None:
    """The record of the conversation's ongoing contact: the latest one not ended."""
    return (
        ContactRecord.objects.filter(conversation=conversation, ended_at__isnull=True)
        .order_by("-started_at")
        .first()
    )


def contact_record_for_conversation(*, conversation, counsellor: User) -> ContactRecord:
    """The draft record of the conversation's ongoing contact, made when a counsellor takes
    it or a visitor comes back to it. A returning visitor's earlier case is suggested."""
    record = _current_for_conversation(conversation)
    if record is not None:
        if record.counsellor_id != counsellor.pk:
            record.counsellor = counsellor
            record.save(update_fields=["counsellor"])
        return record
    earlier = (
        ContactRecord.objects.filter(conversation=conversation, case__isnull=False)
        .order_by("-started_at")
        .first()
    )
    return ContactRecord.objects.create(
        # A call's or a call-back's conversation is recorded as a phone call, like the ones
        # logged by hand.
        channel=ContactRecord.Channel.PHONE
        if conversation.kind in ("call", "callback")
        else conversation.kind,
        conversation=conversation,
        counsellor=counsellor,
        language=conversation.language,
        started_at=timezone.now(),
        suggested_case=earlier.case if earlier else None,
        case=None,
    )


def contact_record_conversation_ended(*, conversation) -> None:
    """The contact is over when its conversation ends; the record stays a draft."""
    ContactRecord.objects.filter(conversation=conversation, ended_at__isnull=True).update(
        ended_at=timezone.now()
    )


def missing_for_completion(record: ContactRecord, concerns: list) -> list[str]:
    """Names of the fields a complete record still lacks (translated)."""
    if record.contact_type_id is None:
        return [_("type of contact")]
    if record.contact_type.code == NON_COUNSELLING:
        return []
    missing = []
    if record.contacting_id is None:
        missing.append(_("who is contacting"))
    if not concerns:
        missing.append(_("concerns"))
    if record.risk_level is None:
        missing.append(_("risk level"))
    return missing


@transaction.atomic
def contact_record_fields_save(
    *,
    record: ContactRecord,
    by: User,
    fields: dict,
    concerns: list,
    actions: list,
) -> ContactRecord:
    """Save a record's fields as they are. Only ``escalations.services.contact_record_save``
    calls this: it adds the rule that risk level 4 opens an escalation (decision 0025)."""
    for name, value in fields.items():
        setattr(record, name, value)
    if record.counsellor_id is None:
        record.counsellor = by
    record.updated_at = timezone.now()
    record.save()
    record.concerns.set(concerns)
    record.actions.set(actions)
    return record


@transaction.atomic
def contact_record_complete(*, record: ContactRecord, by: User) -> ContactRecord:
    """Mark a saved record complete once it has what statistics need."""
    missing = missing_for_completion(record, list(record.concerns.all()))
    if missing:
        raise RecordError(
            "record_incomplete",
            _("To complete the record, fill in: %(fields)s.") % {"fields": ", ".join(missing)},
        )
    record.status = ContactRecord.Status.COMPLETE
    record.completed_at = record.completed_at or timezone.now()
    record.save(update_fields=["status", "completed_at"])
    audit_record(
        actor=by, action="record.completed", object_type="contact_record", object_id=record.pk
    )
    return record


@transaction.atomic
def contact_record_attach(*, record: ContactRecord, case: Case, by: User) -> ContactRecord:
    record.case = case
    record.suggested_case = None
    record.save(update_fields=["case", "suggested_case"])
    case.counsellors.add(by)
    audit_record(
        actor=by,
        action="record.attached",
        object_type="contact_record",
        object_id=record.pk,
        data={"case": case.number},
    )
    return record


@transaction.atomic
def case_create_for_record(*, record: ContactRecord, by: User, title: str = "") -> Case:
    """Open a case from a contact record: a new case (``cases.services.case_create``) with
    the record attached to it, in one transaction."""
    case = case_create(by=by, title=title)
    contact_record_attach(record=record, case=case, by=by)
    return case

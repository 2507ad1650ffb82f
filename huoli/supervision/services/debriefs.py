"""Debrief requests: a counsellor asks to talk a hard contact through with a supervisor
(from its contact record); a supervisor marks the request done. Both are audited (they
name a contact record); the note is encrypted."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from huoli.accounts.models import User
from huoli.contacts.models import ContactRecord
from huoli.core.audit import audit_record
from huoli.core.errors import DomainError
from huoli.core.policy import records_scope, user_has_permission
from huoli.supervision.models import DEBRIEF_NOTE_MAX_LENGTH, DebriefRequest


class DebriefError(DomainError):
    """A refused debrief request (message already translated)."""


def debrief_request(*, record: ContactRecord, by: User, note: str = "") -> DebriefRequest:
    """Ask for a debrief about ``record`` (one the asker may see). Asking again while a
    request waits returns that request, with the new note if one was written."""
    if not user_has_permission(by, "debriefs.request") or not (
        records_scope(by, ContactRecord.objects.filter(pk=record.pk)).exists()
    ):
        raise DebriefError("not_allowed", _("You may not ask for a debrief about this contact."))
    note = (note or "").strip()
    if len(note) > DEBRIEF_NOTE_MAX_LENGTH:
        raise DebriefError(
            "too_long",
            _("The note is too long: at most %(limit)d characters.")
            % {"limit": DEBRIEF_NOTE_MAX_LENGTH},
        )
    try:
        with transaction.atomic():
            request, created = DebriefRequest.objects.get_or_create(
                record=record,
                requested_by=by,
                status=DebriefRequest.Status.OPEN,
                defaults={"note": note},
            )
            if not created and note and note != request.note:
                request.note = note
                request.save(update_fields=["note"])
            audit_record(
                actor=by,
                action="debrief.requested",
                object_type="contact_record",
                object_id=record.pk,
                data={"debrief": request.pk},
            )
    except IntegrityError:  # asked at the same moment in another tab
        request = DebriefRequest.objects.get(
            record=record, requested_by=by, status=DebriefRequest.Status.OPEN
        )
    return request


@transaction.atomic
def debrief_done(*, request_id: int, by: User) -> DebriefRequest:
    """A supervisor marks the request done (again: nothing changes)."""
    if not user_has_permission(by, "debriefs.handle"):
        raise DebriefError("not_allowed", _("Only supervisors mark debriefs done."))
    try:
        request = DebriefRequest.objects.select_for_update().get(pk=request_id)
    except DebriefRequest.DoesNotExist as error:
        raise DebriefError("not_found", _("This debrief request no longer exists.")) from error
    if request.status == DebriefRequest.Status.DONE:
        return request
    request.status = DebriefRequest.Status.DONE
    request.done_at = timezone.now()
    request.done_by = by
    request.save(update_fields=["status", "done_at", "done_by"])
    audit_record(
        actor=by,
        action="debrief.done",
        object_type="contact_record",
        object_id=request.record_id,
        data={"debrief": request.pk},
    )
    return request

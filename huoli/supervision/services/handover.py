"""Handover notes between shifts: written by a counsellor or supervisor, marked read by
those coming on duty. A note is not conversation or case content (the form asks for case
numbers, not names), so writing and reading it are not audited; its text is encrypted."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from huoli.accounts.models import User
from huoli.core.errors import DomainError
from huoli.core.policy import user_has_permission
from huoli.supervision.models import HANDOVER_MAX_LENGTH, HandoverNote, HandoverRead


class HandoverError(DomainError):
    """A refused handover note (message already translated)."""


def handover_note_write(*, by: User, body: str) -> HandoverNote:
    if not user_has_permission(by, "handover.write"):
        raise HandoverError("not_allowed", _("You may not write handover notes."))
    body = (body or "").strip()
    if not body:
        raise HandoverError("empty", _("Write the handover note first."))
    if len(body) > HANDOVER_MAX_LENGTH:
        raise HandoverError(
            "too_long",
            _("The note is too long: at most %(limit)d characters.")
            % {"limit": HANDOVER_MAX_LENGTH},
        )
    return HandoverNote.objects.create(author=by, body=body)


def handover_note_mark_read(*, note: HandoverNote, by: User) -> HandoverRead:
    """Mark the note read by ``by``; marking it again keeps the first time."""
    if not user_has_permission(by, "handover.write"):
        raise HandoverError("not_allowed", _("You may not read handover notes."))
    try:
        with transaction.atomic():
            read, _created = HandoverRead.objects.get_or_create(note=note, reader=by)
    except IntegrityError:  # marked at the same moment in another tab
        read = HandoverRead.objects.get(note=note, reader=by)
    return read

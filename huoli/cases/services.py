"""Writes about cases, their notes and follow-ups. Attaching a contact record to a case is
written by ``contacts.services`` (records sit above cases); escalations by
``escalations.services``."""

from __future__ import annotations

import secrets
from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from huoli.accounts.models import User
from huoli.cases.models import (
    CASE_NUMBER_ALPHABET,
    CASE_NUMBER_LENGTH,
    Case,
    CaseNote,
    FollowUp,
)
from huoli.core.audit import audit_record
from huoli.core.errors import DomainError
from huoli.core.roles import Role


class CaseError(DomainError):
    """A refused change to a case (message already translated)."""


def new_case_number() -> str:
    return "".join(secrets.choice(CASE_NUMBER_ALPHABET) for _ in range(CASE_NUMBER_LENGTH))


def normalise_case_number(text: str) -> str:
    return "".join(ch for ch in (text or "").upper() if ch.isalnum())


@transaction.atomic
def case_create(*, by: User, title: str = "") -> Case:
    """A new case with a random number; the creator works on it. A case opened from a
    contact record: ``contacts.services.case_create_for_record``."""
    for _attempt in range(10):
        try:
            with transaction.atomic():
                case = Case.objects.create(
                    number=new_case_number(), title=title.strip()[:200], created_by=by
                )
            break
        except IntegrityError:
            continue
    else:  # pragma: no cover - 25**6 numbers; ten collisions in a row means a bug
        raise CaseError("case_number", _("A case number could not be made. Try again."))
    case.counsellors.add(by)
    audit_record(actor=by, action="case.created", object_type="case", object_id=case.number)
    return case


@transaction.atomic
def case_update(*, case: Case, by: User, status: str, title: str) -> Case:
    if status not in Case.Status.values:
        raise CaseError("status_invalid", _("Choose a status."))
    case.title = title.strip()[:200]
    if status != case.status:
        audit_record(
            actor=by,
            action="case.status",
            object_type="case",
            object_id=case.number,
            data={"from": case.status, "to": status},
        )
    case.status = status
    case.closed_at = timezone.now() if status == Case.Status.CLOSED else None
    case.save(update_fields=["title", "status", "closed_at"])
    return case


@transaction.atomic
def case_counsellor_add(*, case: Case, by: User, counsellor: User) -> Case:
    if counsellor.role not in (Role.COUNSELLOR, Role.SUPERVISOR) or not counsellor.is_active:
        raise CaseError("not_counsellor", _("Choose a counsellor."))
    case.counsellors.add(counsellor)
    audit_record(
        actor=by,
        action="case.counsellor_added",
        object_type="case",
        object_id=case.number,
        data={"counsellor": counsellor.pk},
    )
    return case


def case_note_add(*, case: Case, by: User, text: str) -> CaseNote:
    text = (text or "").strip()
    if not text:
        raise CaseError("note_empty", _("Write the note first."))
    return CaseNote.objects.create(case=case, author=by, text=text)


def follow_up_create(
    *, case: Case, by: User, due_on: date, what: str, assigned_to: User | None = None
) -> FollowUp:
    what = (what or "").strip()
    if not what:
        raise CaseError("follow_up_empty", _("Say what is to be done."))
    return FollowUp.objects.create(
        case=case, due_on=due_on, what=what, assigned_to=assigned_to or by, created_by=by
    )


def follow_up_done(*, follow_up: FollowUp, by: User) -> FollowUp:
    follow_up.done_at = timezone.now()
    follow_up.save(update_fields=["done_at"])
    return follow_up

"""Writes about cases, their notes and follow-ups, and escalations. Every escalation step
goes to the audit log in the same transaction; alerts are published after commit."""

from __future__ import annotations

import re
import secrets
from datetime import date

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from huoli.accounts.models import User
from huoli.cases.models import (
    CASE_NUMBER_ALPHABET,
    CASE_NUMBER_LENGTH,
    Case,
    CaseNote,
    Escalation,
    FollowUp,
)
from huoli.core.audit import audit_record
from huoli.core.errors import DomainError
from huoli.core.events import EscalationOpened, EscalationUpdated, alerts_group, publish_on_commit
from huoli.core.roles import Role


class CaseError(DomainError):
    """A refused change to a case or an escalation (message already translated)."""


def _display_name(user: User | None) -> str:
    return user.display_name if user is not None else ""


def new_case_number() -> str:
    return "".join(secrets.choice(CASE_NUMBER_ALPHABET) for _ in range(CASE_NUMBER_LENGTH))


def normalise_case_number(text: str) -> str:
    return "".join(ch for ch in (text or "").upper() if ch.isalnum())


@transaction.atomic
def case_create(*, by: User, title: str = "", record=None) -> Case:
    """A new case with a random number; the creator works on it; ``record`` is attached."""
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
    if record is not None:
        from huoli.contacts.services import contact_record_attach

        contact_record_attach(record=record, case=case, by=by)
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


def supervisors_to_alert() -> list[User]:
    """The supervisors on duty; when none is, every active supervisor."""
    supervisors = User.objects.filter(role=Role.SUPERVISOR, is_active=True)
    on_duty = list(supervisors.filter(counsellor_profile__on_duty=True))
    return on_duty or list(supervisors)


@transaction.atomic
def escalation_open(
    *, by: User, record=None, conversation=None, assessment: str = ""
) -> Escalation:
    """Open an escalation and alert the supervisors at once. The visitor sees nothing."""
    if record is None and conversation is not None:
        from huoli.contacts.services import contact_record_for_conversation

        record = contact_record_for_conversation(
            conversation=conversation, counsellor=conversation.counsellor or by
        )
    open_one = (
        Escalation.objects.filter(record=record).exclude(status=Escalation.Status.DECIDED).first()
        if record is not None
        else None
    )
    if open_one is not None:
        return open_one
    escalation = Escalation.objects.create(
        record=record,
        conversation=conversation or (record.conversation if record else None),
        opened_by=by,
        assessment=(assessment or "").strip(),
    )
    audit_record(
        actor=by,
        action="escalation.opened",
        object_type="escalation",
        object_id=escalation.pk,
        data={"record": record.pk if record else None},
    )
    event = EscalationOpened(
        escalation_id=escalation.pk,
        opened_by=_display_name(by),
        url=reverse("console:escalation", args=[escalation.pk]),
    )
    for supervisor in supervisors_to_alert():
        publish_on_commit(alerts_group(supervisor.pk), event)
    return escalation


def _announce(escalation: Escalation) -> None:
    if escalation.opened_by_id:
        publish_on_commit(
            alerts_group(escalation.opened_by_id),
            EscalationUpdated(
                escalation_id=escalation.pk,
                status=escalation.status,
                status_label=str(escalation.get_status_display()),
                supervisor=_display_name(escalation.supervisor),
            ),
        )


@transaction.atomic
def escalation_acknowledge(*, escalation: Escalation, supervisor: User) -> Escalation:
    escalation = Escalation.objects.select_for_update().get(pk=escalation.pk)
    if escalation.status != Escalation.Status.OPEN:
        return escalation
    escalation.status = Escalation.Status.ACKNOWLEDGED
    escalation.supervisor = supervisor
    escalation.acknowledged_at = timezone.now()
    escalation.save(update_fields=["status", "supervisor", "acknowledged_at"])
    audit_record(
        actor=supervisor,
        action="escalation.acknowledged",
        object_type="escalation",
        object_id=escalation.pk,
    )
    _announce(escalation)
    return escalation


@transaction.atomic
def escalation_callback_set(*, escalation: Escalation, by: User, number: str) -> Escalation:
    """Keep (or clear) a call-back number the escalation needs. It is encrypted like every
    free text, audited without the number, and deleted ``callback_days`` after the
    decision."""
    escalation = Escalation.objects.select_for_update().get(pk=escalation.pk)
    if escalation.callback_purged_at is not None:
        raise CaseError("purged", _("The retention period of this escalation has passed."))
    number = " ".join((number or "").split())
    if len(number) > 40 or (number and not re.fullmatch(r"\+?[0-9 ()-]{5,40}", number)):
        raise CaseError(
            "callback_invalid", _("Write the number with digits only, e.g. +358 40 123 4567.")
        )
    escalation.callback_number = number
    escalation.save(update_fields=["callback_number"])
    audit_record(
        actor=by,
        action="escalation.callback",
        object_type="escalation",
        object_id=escalation.pk,
        data={"cleared": not number},
    )
    return escalation


@transaction.atomic
def escalation_decide(
    *, escalation: Escalation, supervisor: User, decision: str, reason: str, assessment: str = ""
) -> Escalation:
    escalation = Escalation.objects.select_for_update().get(pk=escalation.pk)
    if escalation.status == Escalation.Status.DECIDED:
        raise CaseError("decided", _("This escalation has already been decided."))
    if decision not in Escalation.Decision.values:
        raise CaseError("decision_invalid", _("Choose a decision."))
    reason = (reason or "").strip()
    if not reason:
        raise CaseError("reason_missing", _("Write the reason for the decision."))
    now = timezone.now()
    if escalation.supervisor_id is None:
        escalation.supervisor = supervisor
        escalation.acknowledged_at = now
    if assessment.strip():
        escalation.assessment = assessment.strip()
    escalation.status = Escalation.Status.DECIDED
    escalation.decision = decision
    escalation.reason = reason
    escalation.decided_by = supervisor
    escalation.decided_at = now
    escalation.save()
    audit_record(
        actor=supervisor,
        action="escalation.decided",
        object_type="escalation",
        object_id=escalation.pk,
        data={"decision": decision},
    )
    _announce(escalation)
    return escalation

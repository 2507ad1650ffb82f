"""Writes about escalations, and the one way to save a contact record: risk level 4 opens
an escalation once per record (``contact_record_save``, decision 0025). Every escalation
step goes to the audit log in the same transaction; alerts are published after commit."""

from __future__ import annotations

import re

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from huoli.accounts.models import User
from huoli.contacts.models import ESCALATION_RISK, ContactRecord
from huoli.contacts.services import (
    contact_record_escalated,
    contact_record_fields_save,
    contact_record_for_conversation,
)
from huoli.conversations.models import Conversation
from huoli.core.audit import audit_record
from huoli.core.errors import DomainError
from huoli.core.events import EscalationOpened, EscalationUpdated, alerts_group, publish_on_commit
from huoli.core.policy import may_open_escalation
from huoli.core.roles import Role
from huoli.escalations.models import Escalation


class EscalationError(DomainError):
    """A refused change to an escalation (message already translated)."""


def _display_name(user: User | None) -> str:
    return user.display_name if user is not None else ""


@transaction.atomic
def contact_record_save(
    *,
    record: ContactRecord,
    by: User,
    fields: dict,
    concerns: list,
    actions: list,
) -> tuple[ContactRecord, Escalation | None]:
    """Save a record as it is (drafts save while the counsellor types). Returns
    ``(record, escalation)``: setting risk level 4 opens an escalation once per record,
    which alerts the supervisors.

    Every entry point that saves a record (the console's record pages, logging a call, the
    telephone to come) calls this, not ``contacts.services.contact_record_fields_save``,
    so the rule holds for all of them."""
    record = contact_record_fields_save(
        record=record, by=by, fields=fields, concerns=concerns, actions=actions
    )
    escalation = None
    if (
        record.risk_level == ESCALATION_RISK
        and not Escalation.objects.filter(record=record).exists()
    ):
        escalation = escalation_open(
            by=by,
            record=record,
            conversation=record.conversation,
            assessment=_("Risk level 4 set on the contact record."),
        )
    return record, escalation


def supervisors_to_alert() -> list[User]:
    """The supervisors on duty; when none is, every active supervisor."""
    supervisors = User.objects.filter(role=Role.SUPERVISOR, is_active=True)
    on_duty = list(supervisors.filter(counsellor_profile__on_duty=True))
    return on_duty or list(supervisors)


@transaction.atomic
def escalation_open(
    *, by: User, record=None, conversation=None, assessment: str = ""
) -> Escalation:
    """Open an escalation and alert the supervisors at once. The visitor sees nothing.

    About a conversation alone (no ``record``): the counsellor it is given to or a supervisor,
    also after it ended (``may_open_escalation``, asked under the conversation's row lock);
    one still waiting for a decision is returned rather than refused. A record (the risk
    level, the record's page) can be escalated at any time by whoever may open it. A record
    without a risk level gets level 4 (``contacts.services.contact_record_escalated``)."""
    if record is None and conversation is not None:
        conversation = Conversation.objects.select_for_update().get(pk=conversation.pk)
        if not may_open_escalation(by, conversation):
            raise EscalationError("not_allowed", _("Not allowed"))
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
    if record is not None:
        # The record starts at risk level 4 (a level the counsellor chose stays).
        contact_record_escalated(record=record)
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
        # A supervisor who opened it needs no alert (nor a sound) for their own action.
        if supervisor.pk != by.pk:
            publish_on_commit(alerts_group(supervisor.pk), event)
    return escalation


def _announce(escalation: Escalation) -> None:
    """Tell who opened it, and every active supervisor: their alert stops repeating."""
    event = EscalationUpdated(
        escalation_id=escalation.pk,
        status=escalation.status,
        status_label=str(escalation.get_status_display()),
        supervisor=_display_name(escalation.supervisor),
    )
    told = set(
        User.objects.filter(role=Role.SUPERVISOR, is_active=True).values_list("pk", flat=True)
    )
    if escalation.opened_by_id:
        told.add(escalation.opened_by_id)
    for user_id in sorted(told):
        publish_on_commit(alerts_group(user_id), event)


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
        raise EscalationError("purged", _("The retention period of this escalation has passed."))
    number = " ".join((number or "").split())
    if len(number) > 40 or (number and not re.fullmatch(r"\+?[0-9 ()-]{5,40}", number)):
        raise EscalationError(
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
        raise EscalationError("decided", _("This escalation has already been decided."))
    if decision not in Escalation.Decision.values:
        raise EscalationError("decision_invalid", _("Choose a decision."))
    reason = (reason or "").strip()
    if not reason:
        raise EscalationError("reason_missing", _("Write the reason for the decision."))
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

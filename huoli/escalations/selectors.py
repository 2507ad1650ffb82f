"""Reads about escalations, scoped by the policy; opening one is audited."""

from __future__ import annotations

from django.db.models import QuerySet

from huoli.core.audit import audit_record
from huoli.core.policy import escalations_scope, get_or_404
from huoli.escalations.models import Escalation


def access_escalation(user, escalation_id: int) -> Escalation:
    escalation = get_or_404(
        escalations_scope(
            user,
            Escalation.objects.select_related(
                "record", "conversation", "opened_by", "supervisor", "decided_by"
            ),
        ),
        pk=escalation_id,
    )
    audit_record(
        actor=user, action="escalation.read", object_type="escalation", object_id=escalation.pk
    )
    return escalation


def open_escalations_for(user) -> QuerySet[Escalation]:
    return escalations_scope(
        user,
        Escalation.objects.exclude(status=Escalation.Status.DECIDED)
        .select_related("opened_by", "supervisor")
        .order_by("opened_at"),
    )

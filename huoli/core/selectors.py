"""Reads of core data, always scoped by the policy."""

from __future__ import annotations

from django.db.models import QuerySet

from huoli.core.models import AuditEntry
from huoli.core.policy import get_or_404, instances_user_has_permission_for


def audit_entries_for(user) -> QuerySet[AuditEntry]:
    return instances_user_has_permission_for(user, "audit.view", AuditEntry.objects.all())


def access_audit_entry(user, seq: int) -> AuditEntry:
    return get_or_404(audit_entries_for(user), seq=seq)

"""Reads about cases and follow-ups, scoped by the policy; opening a case is audited."""

from __future__ import annotations

from datetime import date

from django.db.models import Q, QuerySet

from huoli.cases.models import Case, FollowUp
from huoli.cases.services import normalise_case_number
from huoli.core.audit import audit_record
from huoli.core.policy import cases_scope, get_or_404


def access_case(user, number: str, *, purpose: str = "read") -> Case:
    case = case_in_scope(user, number)
    audit_case(user, case, purpose=purpose)
    return case


def case_in_scope(user, number: str) -> Case:
    """The case, if the user may see it (404 otherwise), not audited: for a view that looks up
    more before it shows anything, and then calls ``audit_case``."""
    return get_or_404(cases_scope(user, Case.objects.all()), number=normalise_case_number(number))


def audit_case(user, case: Case, *, purpose: str = "read") -> None:
    audit_record(actor=user, action=f"case.{purpose}", object_type="case", object_id=case.number)


def cases_for(user) -> QuerySet[Case]:
    return cases_scope(user, Case.objects.all()).prefetch_related("counsellors")


def case_search(
    user,
    *,
    number: str = "",
    status: str = "",
    counsellor: int | None = None,
    concern: int | None = None,
    risk_level: int | None = None,
    since: date | None = None,
    until: date | None = None,
) -> QuerySet[Case]:
    """Cases the user may see, filtered. Concern, risk level and dates match any of the
    case's contact records (dates also match the case's own creation)."""
    cases = cases_for(user)
    if number:
        cases = cases.filter(number__startswith=normalise_case_number(number))
    if status:
        cases = cases.filter(status=status)
    if counsellor:
        cases = cases.filter(counsellors=counsellor)
    if concern:
        cases = cases.filter(contact_records__concerns=concern)
    if risk_level is not None:
        cases = cases.filter(contact_records__risk_level=risk_level)
    if since:
        cases = cases.filter(
            Q(created_at__date__gte=since) | Q(contact_records__started_at__date__gte=since)
        )
    if until:
        cases = cases.filter(
            Q(created_at__date__lte=until) | Q(contact_records__started_at__date__lte=until)
        )
    return cases.distinct().order_by("-created_at")


def my_follow_ups(user) -> QuerySet[FollowUp]:
    """Open follow-ups assigned to the user on cases they may see. Ordered by due date, so
    overdue ones come first."""
    return (
        FollowUp.objects.filter(assigned_to=user, done_at__isnull=True)
        .filter(case__in=cases_for(user))
        .select_related("case")
        .order_by("due_on", "pk")
    )

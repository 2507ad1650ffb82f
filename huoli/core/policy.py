"""The one place that says which role may do what (promise 5, docs/design.md).

Views and consumers ask ``user_has_permission``; selectors scope querysets with
``instances_user_has_permission_for``; ``access_*`` helpers (in each app's selectors) fetch one
object and turn "not allowed" into a 404, so a forbidden object looks like a missing one.
"""

from __future__ import annotations

from typing import TypeVar

from django.db.models import Model, QuerySet
from django.http import Http404

from huoli.core.roles import Role

M = TypeVar("M", bound=Model)

COUNSELLING = frozenset({Role.COUNSELLOR, Role.SUPERVISOR})
STAFF = frozenset(Role)

PERMISSIONS: dict[str, frozenset[str]] = {
    # Every staff role has a console home.
    "console.use": STAFF,
    # Answer chats and messages, keep a counsellor profile shown to visitors.
    "counselling.work": COUNSELLING,
    # See the whole queue and the duty list, observe and join chats.
    "counselling.supervise": frozenset({Role.SUPERVISOR}),
    # Read the audit log.
    "audit.view": frozenset({Role.ADMINISTRATOR}),
    # The Django admin site: staff accounts, lists, texts.
    "admin.site": frozenset({Role.ADMINISTRATOR}),
    # Search the service directory (administrators keep it).
    "directory.view": COUNSELLING | {Role.ADMINISTRATOR},
    # Turn the flood protection for new chats on and off.
    "helpline.flood": frozenset({Role.SUPERVISOR, Role.ADMINISTRATOR}),
    # Aggregated statistics only.
    "reports.view": frozenset({Role.ANALYST, Role.SUPERVISOR, Role.ADMINISTRATOR}),
    # Statistics of any range of days, not only whole months, quarters and years: two ranges
    # ending on consecutive days differ by one day (decision 0019). Those who see records.
    "reports.any_range": frozenset({Role.SUPERVISOR, Role.ADMINISTRATOR}),
}


def user_has_permission(user, permission: str) -> bool:
    if permission not in PERMISSIONS:
        raise KeyError(f"unknown permission {permission!r}")
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return user.role in PERMISSIONS[permission]


def instances_user_has_permission_for(user, permission: str, queryset: QuerySet[M]) -> QuerySet[M]:
    """The part of ``queryset`` the user may see for ``permission`` (all or nothing today;
    object-level rules such as "cases I work on" narrow it here)."""
    if user_has_permission(user, permission):
        return queryset
    return queryset.none()


def conversations_scope(user, queryset: QuerySet[M]) -> QuerySet[M]:
    """Conversations a staff member may open: supervisors every one, counsellors those
    they are answering. Waiting ones are seen only as queue rows until taken."""
    if user_has_permission(user, "counselling.supervise"):
        return queryset
    if user_has_permission(user, "counselling.work"):
        return queryset.filter(counsellor=user)
    return queryset.none()


def records_scope(user, queryset: QuerySet[M]) -> QuerySet[M]:
    """Contact records: supervisors every one; counsellors their own and those of the cases
    they work on; nobody else (analysts see only statistics)."""
    from django.db.models import Q

    if user_has_permission(user, "counselling.supervise"):
        return queryset
    if user_has_permission(user, "counselling.work"):
        return queryset.filter(Q(counsellor=user) | Q(case__counsellors=user)).distinct()
    return queryset.none()


def cases_scope(user, queryset: QuerySet[M]) -> QuerySet[M]:
    """Cases: supervisors every one; counsellors the cases they work on or were added to."""
    if user_has_permission(user, "counselling.supervise"):
        return queryset
    if user_has_permission(user, "counselling.work"):
        return queryset.filter(counsellors=user).distinct()
    return queryset.none()


def escalations_scope(user, queryset: QuerySet[M]) -> QuerySet[M]:
    """Escalations: supervisors every one; a counsellor those they opened."""
    if user_has_permission(user, "counselling.supervise"):
        return queryset
    if user_has_permission(user, "counselling.work"):
        return queryset.filter(opened_by=user)
    return queryset.none()


def get_or_404(queryset: QuerySet[M], **lookup) -> M:
    """Fetch one object from an already permission-scoped queryset, or 404."""
    try:
        return queryset.get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError) as error:
        raise Http404 from error

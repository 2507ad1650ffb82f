"""Debrief requests as staff see them: supervisors every one, a counsellor their own."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import QuerySet
from django.utils import timezone

from huoli.core.policy import debriefs_scope
from huoli.supervision.models import DebriefRequest

# The supervisors' page shows the requests done in the last days below the open ones.
DONE_SHOWN_DAYS = 14


def _requests(user) -> QuerySet[DebriefRequest]:
    return debriefs_scope(
        user,
        DebriefRequest.objects.select_related(
            "record", "requested_by__counsellor_profile", "done_by__counsellor_profile"
        ),
    )


def debriefs_open(user) -> QuerySet[DebriefRequest]:
    """Requests waiting for a supervisor, oldest first."""
    return _requests(user).filter(status=DebriefRequest.Status.OPEN).order_by("created_at", "pk")


def debriefs_done_recently(user, *, now: datetime | None = None) -> QuerySet[DebriefRequest]:
    since = (now or timezone.now()) - timedelta(days=DONE_SHOWN_DAYS)
    return (
        _requests(user)
        .filter(status=DebriefRequest.Status.DONE, done_at__gte=since)
        .order_by("-done_at", "-pk")
    )


def debriefs_for_record(user, record) -> QuerySet[DebriefRequest]:
    """The requests about one record the user may see (a counsellor's own), newest first."""
    return _requests(user).filter(record=record).order_by("-created_at", "-pk")

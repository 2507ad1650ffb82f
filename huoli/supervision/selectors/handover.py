"""Handover notes as staff read them: the list, the unread ones of recent days for the
console home, and (for supervisors) who read each note and who has not."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from huoli.accounts.models import User
from huoli.core.policy import get_or_404, instances_user_has_permission_for, user_has_permission
from huoli.core.roles import Role
from huoli.supervision.models import HandoverNote, HandoverRead

# The console home shows unread notes written in the last days (a weekend and a day).
HANDOVER_RECENT_DAYS = 3


def handover_notes(user) -> QuerySet[HandoverNote]:
    """Every handover note, newest first, each with ``read_by_me``; none for those who may
    not read them."""
    return instances_user_has_permission_for(
        user,
        "handover.write",
        HandoverNote.objects.select_related("author__counsellor_profile").annotate(
            read_by_me=Exists(HandoverRead.objects.filter(note=OuterRef("pk"), reader=user.pk))
        ),
    ).order_by("-created_at", "-pk")


def handover_unread(user, *, now: datetime | None = None) -> QuerySet[HandoverNote]:
    """Notes of the last ``HANDOVER_RECENT_DAYS`` days the user has not marked read and did
    not write: what someone coming on duty should read first."""
    since = (now or timezone.now()) - timedelta(days=HANDOVER_RECENT_DAYS)
    return (
        handover_notes(user).filter(created_at__gte=since, read_by_me=False).exclude(author=user.pk)
    )


def access_handover_note(user, note_id: int) -> HandoverNote:
    return get_or_404(handover_notes(user), pk=note_id)


@dataclass
class Readers:
    read: list[HandoverRead] = field(default_factory=list)
    unread: list[User] = field(default_factory=list)


def handover_readers(user, notes) -> dict[int, Readers]:
    """For supervisors: per note id, who marked it read (and when) and which active
    counsellors have not (its author aside). Empty for everyone else."""
    if not user_has_permission(user, "handover.readers"):
        return {}
    notes = list(notes)
    counsellors = list(
        User.objects.filter(role=Role.COUNSELLOR, is_active=True)
        .select_related("counsellor_profile")
        .order_by("username")
    )
    result = {note.pk: Readers() for note in notes}
    reads = HandoverRead.objects.filter(note__in=[note.pk for note in notes]).select_related(
        "reader__counsellor_profile"
    )
    readers_of: dict[int, set[int]] = {note.pk: set() for note in notes}
    for read in reads:
        result[read.note_id].read.append(read)
        readers_of[read.note_id].add(read.reader_id)
    for note in notes:
        result[note.pk].unread = [
            c for c in counsellors if c.pk not in readers_of[note.pk] and c.pk != note.author_id
        ]
    return result

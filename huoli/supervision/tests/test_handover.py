"""Handover notes: written encrypted, marked read once, the unread ones of recent days for
whoever comes on duty, and who read them for supervisors only."""

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.http import Http404
from django.utils import timezone

from huoli.core.roles import Role
from huoli.supervision.models import HANDOVER_MAX_LENGTH, HandoverNote, HandoverRead
from huoli.supervision.selectors.handover import (
    HANDOVER_RECENT_DAYS,
    access_handover_note,
    handover_notes,
    handover_readers,
    handover_unread,
)
from huoli.supervision.services.handover import (
    HandoverError,
    handover_note_mark_read,
    handover_note_write,
)

pytestmark = pytest.mark.django_db


def test_the_note_is_stored_encrypted(team):
    note = handover_note_write(by=team["aino"], body="  Tapaus ACD-EFG odottaa soittoa  ")
    assert HandoverNote.objects.get(pk=note.pk).body == "Tapaus ACD-EFG odottaa soittoa"
    with connection.cursor() as cursor:
        cursor.execute("SELECT body FROM supervision_handovernote WHERE id = %s", [note.pk])
        stored = cursor.fetchone()[0]
    assert "odottaa" not in stored and "ACD" not in stored


@pytest.mark.parametrize(
    ("body", "code"),
    [("", "empty"), ("   \n ", "empty"), ("x" * (HANDOVER_MAX_LENGTH + 1), "too_long")],
)
def test_an_empty_or_overlong_note_is_refused(team, body, code):
    with pytest.raises(HandoverError) as refused:
        handover_note_write(by=team["aino"], body=body)
    assert refused.value.code == code
    assert not HandoverNote.objects.exists()


@pytest.mark.parametrize("role", [Role.ANALYST, Role.ADMINISTRATOR])
def test_only_those_who_answer_write_and_read_notes(staff_factory, team, role):
    outsider = staff_factory(role=role)
    with pytest.raises(HandoverError):
        handover_note_write(by=outsider, body="Hei")
    note = handover_note_write(by=team["aino"], body="Hei")
    with pytest.raises(HandoverError):
        handover_note_mark_read(note=note, by=outsider)
    assert not handover_notes(outsider).exists()
    with pytest.raises(Http404):
        access_handover_note(outsider, note.pk)


def test_unread_notes_of_recent_days_wait_until_marked_read(team):
    aino, ben, sara = team["aino"], team["ben"], team["sara"]
    with time_machine.travel(timezone.now() - timedelta(days=HANDOVER_RECENT_DAYS + 1)):
        handover_note_write(by=aino, body="Vanha")
    note = handover_note_write(by=aino, body="Uusi")

    assert list(handover_unread(ben)) == [note]  # the old one is no longer offered
    assert list(handover_unread(sara)) == [note]
    assert list(handover_unread(aino)) == []  # one's own note is not news

    first = handover_note_mark_read(note=note, by=ben)
    again = handover_note_mark_read(note=note, by=ben)
    assert again.pk == first.pk and again.read_at == first.read_at
    assert HandoverRead.objects.filter(note=note).count() == 1
    assert list(handover_unread(ben)) == []
    assert list(handover_unread(sara)) == [note]
    listed = {n.body: n.read_by_me for n in handover_notes(ben)}
    assert listed == {"Uusi": True, "Vanha": False}


def test_supervisors_see_who_read_and_which_counsellors_have_not(team, staff_factory):
    aino, ben, sara = team["aino"], team["ben"], team["sara"]
    carl = staff_factory(role=Role.COUNSELLOR)
    gone = staff_factory(role=Role.COUNSELLOR)
    gone.is_active = False
    gone.save()
    note = handover_note_write(by=aino, body="Seuranta huomenna")
    handover_note_mark_read(note=note, by=ben)
    handover_note_mark_read(note=note, by=sara)

    readers = handover_readers(sara, [note])[note.pk]
    assert [read.reader for read in readers.read] == [ben, sara]
    assert readers.unread == [carl]  # not the author, not a former counsellor

    assert handover_readers(ben, [note]) == {}  # counsellors do not see it
    assert handover_readers(team["ali"], [note]) == {}

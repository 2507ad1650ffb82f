"""Private notes between the staff of a live conversation: who may write them, encrypted at
rest, audited, stored once per client id, clear refusals for bad input."""

import pytest
from django.db import connection
from django.utils import translation

from huoli.accounts.tests.factories import StaffFactory
from huoli.conversations.errors import ConversationError
from huoli.conversations.models import MAX_STAFF_NOTE_CHARS, StaffNote
from huoli.conversations.selectors import staff_notes_after
from huoli.conversations.services.queue import (
    conversation_end,
    conversation_join,
    conversation_take,
    duty_set,
)
from huoli.conversations.services.staff_notes import staff_note_add
from huoli.conversations.tests.factories import chat_start
from huoli.core.models import AuditEntry
from huoli.core.roles import Role

pytestmark = pytest.mark.django_db

SECRET = "Kysy isästä varovasti"


@pytest.fixture
def taken():
    counsellor = StaffFactory(role=Role.COUNSELLOR)
    access = chat_start(language="fi")
    duty_set(user=counsellor, on_duty=True)
    conversation = conversation_take(counsellor=counsellor, conversation_id=access.conversation.pk)
    return counsellor, conversation


def raw_body(note_id: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT body FROM conversations_staffnote WHERE id = %s", [note_id])
        return cursor.fetchone()[0]


def test_a_note_is_encrypted_at_rest_and_its_writing_audited(taken):
    _counsellor, conversation = taken
    supervisor = StaffFactory(role=Role.SUPERVISOR)
    note, created = staff_note_add(
        conversation_id=conversation.pk, author=supervisor, client_id="n1", body=f"  {SECRET} "
    )
    assert created
    stored = raw_body(note.pk)
    assert stored and SECRET not in stored and "isästä" not in stored
    assert StaffNote.objects.get(pk=note.pk).body == SECRET
    assert [n.body for n in staff_notes_after(conversation)] == [SECRET]
    entry = AuditEntry.objects.get(action="conversation.staff_note")
    assert (entry.actor_id, entry.object_type, entry.object_id) == (
        supervisor.pk,
        "conversation",
        str(conversation.pk),
    )
    assert entry.data == {"note": note.pk}
    # The note is not in the audit entry either.
    assert SECRET not in str(entry.data)


def test_a_resend_with_the_same_client_id_stores_and_audits_nothing_more(taken):
    counsellor, conversation = taken
    first, _ = staff_note_add(
        conversation_id=conversation.pk, author=counsellor, client_id="n1", body=SECRET
    )
    again, created = staff_note_add(
        conversation_id=conversation.pk, author=counsellor, client_id="n1", body=SECRET
    )
    assert (again.pk, created) == (first.pk, False)
    assert StaffNote.objects.count() == 1
    assert AuditEntry.objects.filter(action="conversation.staff_note").count() == 1


def test_the_counsellor_an_observing_and_a_joined_supervisor_may_write(taken):
    counsellor, conversation = taken
    observer = StaffFactory(role=Role.SUPERVISOR)
    joined = StaffFactory(role=Role.SUPERVISOR)
    conversation_join(conversation_id=conversation.pk, supervisor=joined)
    for i, author in enumerate((counsellor, observer, joined)):
        staff_note_add(
            conversation_id=conversation.pk, author=author, client_id=f"n{i}", body="Hei"
        )
    notes = list(staff_notes_after(conversation))
    assert [n.author_id for n in notes] == [counsellor.pk, observer.pk, joined.pk]
    assert [n.author_name for n in notes] == [
        counsellor.display_name,
        observer.display_name,
        joined.display_name,
    ]
    assert [n.pk for n in staff_notes_after(conversation, notes[0].pk)] == [
        notes[1].pk,
        notes[2].pk,
    ]


@pytest.mark.parametrize("role", [Role.COUNSELLOR, Role.ANALYST, Role.ADMINISTRATOR])
def test_nobody_else_may_write_one(taken, role):
    _counsellor, conversation = taken
    with pytest.raises(ConversationError) as refused:
        staff_note_add(
            conversation_id=conversation.pk,
            author=StaffFactory(role=role),
            client_id="x",
            body=SECRET,
        )
    assert refused.value.code == "not_found"
    assert not StaffNote.objects.exists()
    assert not AuditEntry.objects.filter(action="conversation.staff_note").exists()


def test_no_note_once_the_conversation_has_ended_nor_while_it_waits(taken):
    counsellor, conversation = taken
    supervisor = StaffFactory(role=Role.SUPERVISOR)
    waiting = chat_start(language="fi").conversation
    with pytest.raises(ConversationError) as refused:
        staff_note_add(conversation_id=waiting.pk, author=supervisor, client_id="w", body="x")
    assert refused.value.code == "note_refused"
    conversation_end(conversation=conversation, ended_by="counsellor", by=counsellor)
    for author in (counsellor, supervisor):
        with translation.override("en"), pytest.raises(ConversationError) as refused:
            staff_note_add(conversation_id=conversation.pk, author=author, client_id="e", body="x")
        assert refused.value.code == "conversation_ended"
        assert str(refused.value) == "This conversation has ended."
    assert not StaffNote.objects.exists()


@pytest.mark.parametrize(
    ("client_id", "body", "code", "text"),
    [
        ("n", "   ", "note_empty", "Write a note first."),
        ("n", "", "note_empty", "Write a note first."),
        (
            "n",
            "x" * (MAX_STAFF_NOTE_CHARS + 1),
            "note_too_long",
            f"A private note can be at most {MAX_STAFF_NOTE_CHARS} characters long.",
        ),
        ("", "Hei", "client_id_invalid", "The note could not be identified."),
        ("ä" * 3, "Hei", "client_id_invalid", "The note could not be identified."),
        ("x" * 65, "Hei", "client_id_invalid", "The note could not be identified."),
    ],
)
def test_bad_input_gets_a_clear_refusal_and_nothing_is_saved(taken, client_id, body, code, text):
    counsellor, conversation = taken
    with translation.override("en"), pytest.raises(ConversationError) as refused:
        staff_note_add(
            conversation_id=conversation.pk, author=counsellor, client_id=client_id, body=body
        )
    assert (refused.value.code, str(refused.value)) == (code, text)
    assert not StaffNote.objects.exists()


def test_a_note_of_the_longest_length_is_kept(taken):
    counsellor, conversation = taken
    note, _ = staff_note_add(
        conversation_id=conversation.pk,
        author=counsellor,
        client_id="n",
        body="x" * MAX_STAFF_NOTE_CHARS,
    )
    assert len(StaffNote.objects.get(pk=note.pk).body) == MAX_STAFF_NOTE_CHARS

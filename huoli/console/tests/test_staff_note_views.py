"""Private staff notes on the console's conversation page: shown marked to the two staff of
the chat, read-only once it ended, written without JavaScript too, refused clearly."""

import pytest

from huoli.accounts.tests.factories import StaffFactory
from huoli.conversations.models import StaffNote
from huoli.conversations.services.queue import conversation_end
from huoli.conversations.services.staff_notes import staff_note_add
from huoli.conversations.tests.factories import chat_taken
from huoli.core.models import AuditEntry
from huoli.core.roles import Role

pytestmark = pytest.mark.django_db

MARK = "Private note — the visitor does not see this"
SECRET = "Ehdota perheneuvolaa"


@pytest.fixture(autouse=True)
def english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def url(conversation, action=""):
    return f"/console/conversations/{conversation.pk}/{action + '/' if action else ''}"


def test_the_observing_supervisor_and_the_counsellor_see_the_note_marked(client, logged_in):
    aino = StaffFactory(role=Role.COUNSELLOR)
    chat = chat_taken(counsellor=aino).conversation
    sara = logged_in(Role.SUPERVISOR)
    staff_note_add(conversation_id=chat.pk, author=aino, client_id="n1", body=SECRET)
    page = client.get(url(chat)).content.decode()
    assert SECRET in page and MARK in page and "data-note-form" in page
    reads = AuditEntry.objects.filter(action="conversation.read", actor_id=sara.pk)
    assert reads.filter(object_id=str(chat.pk)).count() == 1


def test_an_ended_chat_shows_its_notes_read_only(client, logged_in):
    aino = logged_in(Role.COUNSELLOR)
    chat = chat_taken(counsellor=aino).conversation
    staff_note_add(conversation_id=chat.pk, author=aino, client_id="n1", body=SECRET)
    conversation_end(conversation=chat, ended_by="counsellor", by=aino)
    page = client.get(url(chat)).content.decode()
    assert SECRET in page and MARK in page
    assert "data-note-form" not in page


def test_a_chat_without_notes_offers_the_form_and_says_there_are_none(client, logged_in):
    aino = logged_in(Role.COUNSELLOR)
    chat = chat_taken(counsellor=aino).conversation
    page = client.get(url(chat)).content.decode()
    assert "No private notes yet." in page and "data-note-form" in page


def test_a_note_is_written_without_javascript(client, logged_in):
    aino = logged_in(Role.COUNSELLOR)
    chat = chat_taken(counsellor=aino).conversation
    response = client.post(url(chat, "note"), {"client_id": "abc", "body": SECRET})
    assert response.status_code == 302 and response["Location"] == url(chat)
    assert [(n.author, n.body) for n in StaffNote.objects.all()] == [(aino, SECRET)]
    # Sent twice (a double click): stored once.
    client.post(url(chat, "note"), {"client_id": "abc", "body": SECRET})
    assert StaffNote.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "said"),
    [("  ", "Write a note first."), ("x" * 2001, "at most 2000 characters")],
)
def test_a_bad_note_is_refused_clearly(client, logged_in, body, said):
    aino = logged_in(Role.COUNSELLOR)
    chat = chat_taken(counsellor=aino).conversation
    response = client.post(url(chat, "note"), {"client_id": "abc", "body": body}, follow=True)
    assert response.status_code == 200 and said in response.content.decode()
    assert not StaffNote.objects.exists()


def test_a_counsellor_not_on_the_chat_gets_a_404_and_writes_nothing(client, logged_in):
    chat = chat_taken(counsellor=StaffFactory(role=Role.COUNSELLOR)).conversation
    logged_in(Role.COUNSELLOR)
    assert client.post(url(chat, "note"), {"client_id": "a", "body": "x"}).status_code == 404
    assert client.get(url(chat)).status_code == 404
    assert not StaffNote.objects.exists()


def test_an_analyst_cannot_write_one(client, logged_in):
    chat = chat_taken(counsellor=StaffFactory(role=Role.COUNSELLOR)).conversation
    logged_in(Role.ANALYST)
    assert client.post(url(chat, "note"), {"client_id": "a", "body": "x"}).status_code == 403
    assert not StaffNote.objects.exists()

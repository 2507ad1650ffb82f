"""Private notes between the staff of a live conversation (issue 18, "a private word").

Threat answered: a note meant for a colleague reaching the visitor. A note is published only
to ``conversation_staff.<id>``, which console sockets alone join when they ``watch`` the
conversation; it is never sent to ``conversation.<id>`` (the visitor's socket is there) and
never rendered on a public page. Notes are encrypted at rest, each written note is audited,
and they are read with the conversation (its audited read, ``access_conversation``).
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from huoli.accounts.models import User
from huoli.conversations.errors import ConversationError
from huoli.conversations.models import MAX_STAFF_NOTE_CHARS, Conversation, StaffNote
from huoli.conversations.services.messages import CLIENT_ID_MAX
from huoli.core.audit import audit_record
from huoli.core.events import StaffNoteAdded, conversation_staff_group, publish_on_commit
from huoli.core.policy import conversations_scope, may_write_staff_note


def _clean(client_id: str, body: str) -> tuple[str, str]:
    client_id = (client_id or "").strip()
    if not client_id or len(client_id) > CLIENT_ID_MAX or not client_id.isascii():
        raise ConversationError("client_id_invalid", _("The note could not be identified."))
    body = (body or "").strip()
    if not body:
        raise ConversationError("note_empty", _("Write a note first."))
    if len(body) > MAX_STAFF_NOTE_CHARS:
        raise ConversationError(
            "note_too_long",
            _("A private note can be at most %(max)s characters long.")
            % {"max": MAX_STAFF_NOTE_CHARS},
        )
    return client_id, body


def staff_note_event(note: StaffNote) -> StaffNoteAdded:
    return StaffNoteAdded(
        conversation_id=note.conversation_id,
        note_id=note.pk,
        author_name=note.author_name,
        client_id=note.client_id,
        body=note.body,
        created_at=note.created_at.isoformat(),
    )


@transaction.atomic
def staff_note_add(
    *, conversation_id: int, author: User, client_id: str, body: str
) -> tuple[StaffNote, bool]:
    """Store a private note once per client id, audit it, and publish it to the console
    sockets watching the conversation after commit. Returns ``(note, created)``: a repeated
    client id returns the stored note and publishes nothing (a resend is harmless)."""
    client_id, body = _clean(client_id, body)
    conversation = (
        conversations_scope(author, Conversation.objects.select_for_update())
        .filter(pk=conversation_id)
        .first()
    )
    if conversation is None:
        raise ConversationError("not_found", _("This conversation no longer exists."))
    known = StaffNote.objects.filter(conversation=conversation, client_id=client_id).first()
    if known is not None:
        return known, False
    if not may_write_staff_note(author, conversation):
        if conversation.status == Conversation.Status.ENDED:
            raise ConversationError("conversation_ended", _("This conversation has ended."))
        raise ConversationError(
            "note_refused",
            _(
                "Only the counsellor answering this conversation and a supervisor following "
                "it can write private notes."
            ),
        )
    note = StaffNote.objects.create(
        conversation=conversation,
        author=author,
        author_name=author.display_name[:40],
        client_id=client_id,
        body=body,
        created_at=timezone.now(),
    )
    audit_record(
        actor=author,
        action="conversation.staff_note",
        object_type="conversation",
        object_id=conversation.pk,
        data={"note": note.pk},
    )
    publish_on_commit(conversation_staff_group(conversation.pk), staff_note_event(note))
    return note, True

"""What several service modules share: cleaning a body, the common refusals, announcements."""

from __future__ import annotations

import secrets

from django.db import transaction
from django.utils.functional import lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from huoli.conversations import return_codes
from huoli.conversations.errors import ConversationError
from huoli.conversations.models import MAX_MESSAGE_CHARS, Conversation
from huoli.conversations.selectors import queue_positions
from huoli.core.events import (
    ConversationJoined,
    ConversationSignedOut,
    QueuePosition,
    conversation_group,
    publish,
    publish_on_commit,
)


def visitor_token_issue(conversation: Conversation) -> str:
    """A new browser token for the conversation (only its hash is stored)."""
    token = secrets.token_urlsafe(32)
    conversation.visitor_token_hash = return_codes.token_hash(token)
    return token


def _too_long_text() -> str:
    return _("A message can be at most %(max)s characters long.") % {"max": MAX_MESSAGE_CHARS}


def clean_body(body: str) -> str:
    # Lazy texts, as the refusals below: the writer refuses a message in its own thread or
    # process, and the sender's socket shows the text in its own language.
    body = (body or "").strip()
    if not body:
        raise ConversationError("message_empty", gettext_lazy("Write a message first."))
    if len(body) > MAX_MESSAGE_CHARS:
        raise ConversationError("message_too_long", lazy(_too_long_text, str)())
    return body


def closed_refusal() -> ConversationError:
    # Lazy: a socket shows it in the visitor's language, whichever thread refused it.
    return ConversationError(
        "conversation_closed",
        gettext_lazy("This conversation is closed. You can start a new one from the home page."),
    )


def signed_out_refusal() -> ConversationError:
    return ConversationError(
        "signed_out",
        gettext_lazy(
            "Your message was not sent: this conversation is no longer open in this browser."
        ),
    )


def announce_signed_out(conversation: Conversation) -> None:
    """The visitor's sockets check their browser token and close if it is no longer current."""
    publish_on_commit(
        conversation_group(conversation.pk), ConversationSignedOut(conversation_id=conversation.pk)
    )


def announce_joined(conversation: Conversation, name: str) -> None:
    """The visitor sees who is now answering."""
    publish_on_commit(
        conversation_group(conversation.pk),
        ConversationJoined(conversation_id=conversation.pk, counsellor_name=name),
    )


def publish_queue_positions_on_commit() -> None:
    def send():
        for pk, position, minutes in queue_positions():
            publish(
                conversation_group(pk),
                QueuePosition(conversation_id=pk, position=position, wait_minutes=minutes),
            )

    transaction.on_commit(send, robust=True)

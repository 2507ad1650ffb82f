"""Storing messages (one, or a batch from the socket writer), typing, the read marker."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from huoli.accounts.models import User
from huoli.contacts.services import contact_record_for_conversation
from huoli.conversations import return_codes
from huoli.conversations.errors import ConversationError
from huoli.conversations.models import Conversation, Message
from huoli.conversations.selectors import messages_after
from huoli.conversations.services._common import clean_body, closed_refusal, signed_out_refusal
from huoli.core.events import (
    QUEUE_GROUP,
    ConversationActivity,
    ConversationMessage,
    ConversationTyping,
    QueueChanged,
    alerts_group,
    conversation_group,
    publish,
    publish_on_commit,
)
from huoli.core.fields import bind_rows, reserve_primary_keys
from huoli.core.policy import may_write

CLIENT_ID_MAX = 64


def _clean_client_id(client_id: str) -> str:
    client_id = (client_id or "").strip()
    # Printable ASCII only: a control character (NUL) is refused by PostgreSQL's text type,
    # which would fail the writer's whole batch, not this message alone.
    if (
        not client_id
        or len(client_id) > CLIENT_ID_MAX
        or not client_id.isascii()
        or not client_id.isprintable()
    ):
        raise _client_id_refusal()
    return client_id


def _client_id_refusal() -> ConversationError:
    return ConversationError(
        "client_id_invalid", gettext_lazy("The message could not be identified.")
    )


@dataclass(frozen=True)
class MessagePost:
    """One message to store: who sends it, under which client id, into which conversation.

    A visitor's post from a browser carries the hash of that browser's token: it is stored
    only while that token is still the conversation's (not after a return elsewhere)."""

    conversation_id: int
    sender: str
    client_id: str
    body: str
    author: User | None = None
    visitor_token_hash: str | None = None


def message_post(
    *,
    conversation: Conversation,
    sender: str,
    client_id: str,
    body: str,
    author: User | None = None,
    visitor_token: str | None = None,
) -> tuple[Message, bool]:
    """Store a message once per client id, then publish it after commit.

    Returns ``(message, created)``; a repeated client id returns the stored message and
    publishes nothing, so a resend is harmless (promise 2, docs/design.md). ``visitor_token``
    is the browser's cookie for a visitor's post from a browser (see ``MessagePost``).
    """
    post = MessagePost(
        conversation.pk,
        sender,
        client_id,
        body,
        author,
        return_codes.token_hash(visitor_token) if visitor_token else None,
    )
    (result,) = messages_post([post])
    if isinstance(result, ConversationError):
        raise result
    conversation.last_seq = max(conversation.last_seq or 0, result[0].seq)
    return result


# No savepoint inside the writer's transaction (two round trips to the database a batch):
# an error here fails the whole batch anyway, and the callers outside it catch none.
@transaction.atomic(savepoint=False)
def messages_post(posts: list[MessagePost]) -> list[tuple[Message, bool] | ConversationError]:
    """Store several messages in one transaction with a fixed number of queries.

    Each result is ``(message, created)`` or the error that refused that message alone.
    The conversations are locked first, so the sequence numbers and the check for a
    repeated client id hold across processes; the unique constraints back both.
    """
    results: list[tuple[Message, bool] | ConversationError | None] = [None] * len(posts)
    cleaned: dict[int, tuple[str, str]] = {}
    for i, post in enumerate(posts):
        try:
            cleaned[i] = (_clean_client_id(post.client_id), clean_body(post.body))
        except ConversationError as error:
            results[i] = error
    conversations = _conversations_locked({posts[i].conversation_id for i in cleaned})
    stored = _already_stored(
        {(posts[i].conversation_id, client_id) for i, (client_id, _) in cleaned.items()}
    )
    now = timezone.now()
    new: list[tuple[int, Message]] = []
    changed: dict[int, Conversation] = {}
    reopened: dict[int, Conversation] = {}
    queued_again: set[int] = set()  # ended, and back in the queue as a message
    for i, (client_id, body) in cleaned.items():
        post = posts[i]
        locked = conversations.get(post.conversation_id)
        if locked is None:
            results[i] = ConversationError(
                "not_found", gettext_lazy("This conversation no longer exists.")
            )
            continue
        known = stored.get((locked.pk, client_id))
        if known is not None:
            # A resend is of the sender's own message: its ack carries the message, so an id
            # of the other side's (or another staff member's) is refused, not answered.
            if known.sender != post.sender or known.author_id != (
                post.author.pk if post.author else None
            ):
                results[i] = _client_id_refusal()
            else:
                results[i] = (known, False)
                # Announced again: a resend means the sender missed the ack, and the event
                # may have been lost with it (a worker killed between its commit and its
                # publishing). Pages show a seq once; the resending socket skips it.
                publish_on_commit(conversation_group(locked.pk), message_event(known))
            continue
        was_ended = locked.status == Conversation.Status.ENDED
        try:
            message = _message_apply(locked, post, client_id, body, now)
        except ConversationError as error:
            results[i] = error
            continue
        if was_ended and locked.counsellor_id:
            reopened[locked.pk] = locked
        elif was_ended:
            queued_again.add(locked.pk)
        stored[(locked.pk, client_id)] = message
        changed[locked.pk] = locked
        new.append((i, message))
    # Bodies are bound to their rows (decision 0020): with keys reserved before the insert
    # they are encrypted for their rows at once; else rewritten after it (``bind_rows``).
    keys = reserve_primary_keys(Message, len(new))
    for (_index, message), key in zip(new, keys or [], strict=False):
        message.pk = key
    Message.objects.bulk_create([message for _, message in new])
    bind_rows(message for _, message in new)
    _conversations_advance(changed.values())
    for conversation in reopened.values():
        # The visitor came back with the code: a new contact for the same counsellor.
        contact_record_for_conversation(
            conversation=conversation, counsellor=conversation.counsellor
        )
    for i, message in new:
        results[i] = (message, True)
        arrived = message.conversation_id in queued_again
        queued_again.discard(message.conversation_id)
        _message_announce(conversations[message.conversation_id], message, arrived=arrived)
    return results


def _conversations_locked(ids: set[int]) -> dict[int, Conversation]:
    """The batch's conversations by key, locked until its transaction ends (in the order of
    their keys, so two batches never wait for each other in a cycle), with only the fields a
    batch reads (``_LOCKED_FIELDS``): the encrypted ones are not decrypted, nor every
    timestamp parsed, for every batch.

    One statement written here, as ``_already_stored`` and ``_conversations_advance`` are:
    the ORM's building of this query took more of a busy server's time than the database's
    answering it (decision 0043). ``raw()`` builds the instances, through the fields'
    converters, with the columns not read deferred."""
    if not ids:
        return {}
    meta = Conversation._meta
    fields = [meta.pk, *(meta.get_field(name) for name in _LOCKED_FIELDS)]
    quote = connection.ops.quote_name
    # Only our own table and column names are formatted in; every value is a parameter.
    sql = "SELECT {} FROM {} WHERE {} IN ({}) ORDER BY {}{}".format(  # noqa: S608
        ", ".join(quote(field.column) for field in fields),
        quote(meta.db_table),
        quote(meta.pk.column),
        ", ".join(["%s"] * len(ids)),
        quote(meta.pk.column),
        " FOR UPDATE" if connection.features.has_select_for_update else "",
    )
    return {
        conversation.pk: conversation for conversation in Conversation.objects.raw(sql, sorted(ids))
    }


def _already_stored(pairs: set[tuple[int, str]]) -> dict[tuple[int, str], Message]:
    """The messages already stored under these (conversation id, client id) pairs: resends.

    Matched as pairs, not as a list of conversations and a list of client ids: a client id is
    unique only within its conversation, and the two lists would load every message of the
    batch's conversations whose client id any post of the batch uses (a load generator
    numbering its messages, or a client choosing ids to match, made that most of a batch's
    work, decision 0043). One query finds the keys, usually none; a second loads resends."""
    if not pairs:
        return {}
    meta = Message._meta
    quote = connection.ops.quote_name
    # Only our own table and column names are formatted in; every value is a parameter. A
    # join with the pairs, which both databases answer with an index search for each pair
    # (a row value IN (VALUES ...) made SQLite scan the index; an OR of pairs is limited in
    # depth there).
    sql = (  # noqa: S608
        "WITH asked (conversation_id, client_id) AS (VALUES {}) "
        "SELECT m.{} FROM asked JOIN {} m "
        "ON m.{} = asked.conversation_id AND m.{} = asked.client_id"
    ).format(
        ", ".join(["(%s, %s)"] * len(pairs)),
        quote(meta.pk.column),
        quote(meta.db_table),
        quote(meta.get_field("conversation").column),
        quote(meta.get_field("client_id").column),
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [value for pair in sorted(pairs) for value in pair])
        keys = [row[0] for row in cursor.fetchall()]
    if not keys:
        return {}
    return {
        (message.conversation_id, message.client_id): message
        for message in Message.objects.filter(pk__in=keys).order_by()
    }


_ADVANCED_FIELDS = (
    "last_seq",
    "last_message_at",
    "awaiting_reply",
    "kind",
    "status",
    "ended_at",
    "counsellor_seen_seq",
)

# What a batch reads of each conversation it locks: what it moves on, and ``_message_apply``'s
# checks (with the policy's ``may_write``). Another field read would be loaded by a query of
# its own (a reopened conversation's contact record does; the writer's tests count a batch's
# queries).
_LOCKED_FIELDS = (
    *_ADVANCED_FIELDS,
    "counsellor",
    "supervisor",
    "code_blocked_at",
    "visitor_token_hash",
)


def _conversations_advance(conversations) -> None:
    """Write what a batch moved on, one prepared UPDATE run for every conversation.

    ``bulk_update`` would build one CASE expression per field and row, which profiling
    showed costing more than the rest of a batch together (decision 0008)."""
    conversations = list(conversations)
    if not conversations:
        return
    fields = [Conversation._meta.get_field(name) for name in _ADVANCED_FIELDS]
    quote = connection.ops.quote_name
    # Only our own table and column names are formatted in; every value is a parameter.
    sql = "UPDATE {} SET {} WHERE {} = %s".format(  # noqa: S608
        quote(Conversation._meta.db_table),
        ", ".join(f"{quote(field.column)} = %s" for field in fields),
        quote(Conversation._meta.pk.column),
    )
    rows = [
        [field.get_db_prep_save(getattr(c, field.attname), connection) for field in fields] + [c.pk]
        for c in conversations
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _message_apply(
    locked: Conversation, post: MessagePost, client_id: str, body: str, now
) -> Message:
    """The next message of a locked conversation, with the conversation's fields moved on.

    Threat answered: a blocked visitor or a browser signed out by a return elsewhere writing
    on through a socket or a form still open; a blocked conversation never becomes active
    again through a visitor's message (issue 13)."""
    sender, author = post.sender, post.author
    if locked.kind == Conversation.Kind.CALLBACK:
        # A call-back request is a time to phone, not a thread: nothing is written in it (a
        # visitor's message would also turn it into a written message).
        raise ConversationError(
            "no_messages", gettext_lazy("Nothing can be written in a call-back request.")
        )
    if sender == Message.Sender.VISITOR:
        if locked.code_blocked_at is not None:
            raise closed_refusal()
        if post.visitor_token_hash is not None and (
            post.visitor_token_hash != locked.visitor_token_hash
        ):
            raise signed_out_refusal()
    if sender == Message.Sender.COUNSELLOR and not may_write(author, locked):
        if locked.status == Conversation.Status.ENDED:
            raise ConversationError(
                "conversation_ended", gettext_lazy("This conversation has ended.")
            )
        raise ConversationError(
            "read_only", gettext_lazy("Only the counsellor answering this conversation can write.")
        )
    locked.last_seq += 1
    locked.last_message_at = now
    author_name = ""
    if sender == Message.Sender.VISITOR:
        locked.awaiting_reply = True
        if locked.status == Conversation.Status.ENDED:
            # Writing again after the end (with the return code) continues it as messages.
            locked.kind = Conversation.Kind.MESSAGE
            locked.status = (
                Conversation.Status.ACTIVE if locked.counsellor_id else Conversation.Status.QUEUED
            )
            locked.ended_at = None
    elif sender == Message.Sender.COUNSELLOR:
        locked.awaiting_reply = False
        if author is not None and author.pk == locked.counsellor_id:
            # A supervisor who joined and wrote has not read it for the counsellor.
            locked.counsellor_seen_seq = locked.last_seq
        # Cached on the user object, so a socket looks it up once.
        profile = getattr(author, "counsellor_profile", None)
        author_name = profile.display_name if profile else ""
    return Message(
        conversation=locked,
        seq=locked.last_seq,
        sender=sender,
        author=author,
        author_name=author_name,
        client_id=client_id,
        body=body,
        created_at=now,
    )


def _message_announce(locked: Conversation, message: Message, *, arrived: bool = False) -> None:
    """``arrived``: the message brought an ended conversation back into the queue."""
    publish_on_commit(conversation_group(locked.pk), message_event(message))
    if message.sender == Message.Sender.VISITOR:
        # Only who needs to know: the queue when it waits, else the counsellor answering it.
        if locked.status == Conversation.Status.QUEUED or not locked.counsellor_id:
            publish_on_commit(QUEUE_GROUP, QueueChanged(arrived="message" if arrived else ""))
        else:
            # Every console page of theirs, conversation pages too (notify.js tells them).
            publish_on_commit(
                alerts_group(locked.counsellor_id),
                ConversationActivity(conversation_id=locked.pk, unread=locked.unread_count),
            )


# The most messages one answer to a socket's ``hello``, ``watch`` or ``catch_up`` carries. A
# page that lacks more is sent ``more`` and asks again from the last one it got, so no frame
# makes the database thread decrypt a whole long history: a visitor can write thousands of
# messages into their own chat and could otherwise ask for them all ten times a second.
MESSAGES_PER_ANSWER = 100


def message_frames_after(conversation: Conversation, seq: int) -> tuple[list[dict], bool]:
    """The conversation's ``conversation.message`` payloads after ``seq``, oldest first, at
    most ``MESSAGES_PER_ANSWER``; and whether more follow them."""
    messages = list(messages_after(conversation, seq)[: MESSAGES_PER_ANSWER + 1])
    frames = [message_event(m).as_payload() for m in messages[:MESSAGES_PER_ANSWER]]
    return frames, len(messages) > MESSAGES_PER_ANSWER


def message_event(message: Message) -> ConversationMessage:
    return ConversationMessage(
        conversation_id=message.conversation_id,
        seq=message.seq,
        sender=message.sender,
        author_name=message.author_name,
        client_id=message.client_id,
        body=message.body,
        created_at=message.created_at.isoformat(),
    )


def conversation_mark_seen(*, conversation: Conversation, seq: int, by: User) -> None:
    """The answering counsellor has seen the conversation up to ``seq``. Anyone else reading
    it (a supervisor observing) leaves the counsellor's unread marker alone."""
    Conversation.objects.filter(
        pk=conversation.pk, counsellor=by, counsellor_seen_seq__lt=seq
    ).update(counsellor_seen_seq=min(seq, conversation.last_seq))


def typing_signal(*, conversation: Conversation, sender: str) -> None:
    """Not stored, so published at once."""
    publish(
        conversation_group(conversation.pk),
        ConversationTyping(conversation_id=conversation.pk, sender=sender),
    )

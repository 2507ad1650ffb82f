"""Writes about conversations. Each runs in one transaction and publishes after commit."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from huoli.accounts.models import CounsellorProfile, User
from huoli.contacts.services import (
    contact_record_conversation_ended,
    contact_record_for_conversation,
)
from huoli.conversations import return_codes
from huoli.conversations.models import (
    MAX_MESSAGE_CHARS,
    Conversation,
    Feedback,
    FlagReason,
    Message,
)
from huoli.conversations.selectors import held_for_speaker_until
from huoli.core.audit import audit_record
from huoli.core.errors import DomainError
from huoli.core.events import (
    QUEUE_GROUP,
    ConversationActivity,
    ConversationEnded,
    ConversationJoined,
    ConversationMessage,
    ConversationReleased,
    ConversationSignedOut,
    ConversationTyping,
    QueueChanged,
    QueuePosition,
    alerts_group,
    conversation_group,
    publish,
    publish_on_commit,
    staff_group,
)
from huoli.core.fields import bind_rows
from huoli.core.policy import may_write

# A rough figure for the visitor's estimate until statistics can tell better.
MINUTES_PER_CHAT_AHEAD = 8
CLIENT_ID_MAX = 64


class ConversationError(DomainError):
    """A refused action, with a message for the person who tried it (already translated)."""


@dataclass(frozen=True)
class VisitorAccess:
    conversation: Conversation
    token: str
    return_code: str | None = None


def _visitor_token(conversation: Conversation) -> str:
    token = secrets.token_urlsafe(32)
    conversation.visitor_token_hash = return_codes.token_hash(token)
    return token


def _clean_body(body: str) -> str:
    body = (body or "").strip()
    if not body:
        raise ConversationError("message_empty", _("Write a message first."))
    if len(body) > MAX_MESSAGE_CHARS:
        raise ConversationError(
            "message_too_long",
            _("A message can be at most %(max)s characters long.") % {"max": MAX_MESSAGE_CHARS},
        )
    return body


def _closed_refusal() -> ConversationError:
    # Lazy: a socket shows it in the visitor's language, whichever thread refused it.
    return ConversationError(
        "conversation_closed",
        gettext_lazy("This conversation is closed. You can start a new one from the home page."),
    )


def _signed_out_refusal() -> ConversationError:
    return ConversationError(
        "signed_out",
        gettext_lazy(
            "Your message was not sent: this conversation is no longer open in this browser."
        ),
    )


def _announce_signed_out(conversation: Conversation) -> None:
    """The visitor's sockets check their browser token and close if it is no longer current."""
    publish_on_commit(
        conversation_group(conversation.pk), ConversationSignedOut(conversation_id=conversation.pk)
    )


def _clean_client_id(client_id: str) -> str:
    client_id = (client_id or "").strip()
    if not client_id or len(client_id) > CLIENT_ID_MAX or not client_id.isascii():
        raise ConversationError("client_id_invalid", _("The message could not be identified."))
    return client_id


def queued_chats_count() -> int:
    return Conversation.objects.filter(
        kind=Conversation.Kind.CHAT, status=Conversation.Status.QUEUED
    ).count()


@transaction.atomic
def conversation_start(
    *,
    kind: str,
    language: str,
    nickname: str = "",
    first_message: str = "",
    interpreter_needed: bool = False,
) -> VisitorAccess:
    """Start a chat or a written message; returns the return code and the browser token."""
    if kind not in Conversation.Kind.values:
        raise ConversationError("kind_invalid", _("Choose chat or message."))
    if kind == Conversation.Kind.CHAT and queued_chats_count() >= settings.HUOLI_MAX_QUEUE:
        raise ConversationError(
            "queue_full",
            _("The queue is full right now. Please leave a message or try again soon."),
        )
    if kind == Conversation.Kind.MESSAGE:
        first_message = _clean_body(first_message)
    code = return_codes.generate()
    now = timezone.now()
    conversation = Conversation(
        kind=kind,
        language=language,
        nickname=(nickname or "").strip()[:40],
        created_at=now,
        return_code_hash=return_codes.code_hash(code),
        interpreter_needed=interpreter_needed,
    )
    token = _visitor_token(conversation)
    conversation.save()
    if first_message:
        message_post(
            conversation=conversation,
            sender=Message.Sender.VISITOR,
            client_id=secrets.token_hex(8),
            body=first_message,
        )
    publish_on_commit(QUEUE_GROUP, QueueChanged())
    _publish_queue_positions_on_commit()
    return VisitorAccess(conversation=conversation, token=token, return_code=code)


@transaction.atomic
def conversation_resume(*, code: str) -> VisitorAccess:
    """Open a conversation again with its return code (a new browser token each time)."""
    digits = return_codes.normalise(code)
    if digits is None:
        raise ConversationError(
            "code_malformed", _("A return code has 16 digits. Check the code and try again.")
        )
    conversation = (
        Conversation.objects.select_for_update()
        .filter(return_code_hash=return_codes.code_hash(digits))
        .first()
    )
    if conversation is None:
        raise ConversationError(
            "code_unknown",
            _("We could not find a conversation with that code. Check the digits and try again."),
        )
    if conversation.code_blocked_at is not None:
        raise ConversationError(
            "code_blocked",
            _("This conversation is closed. You can start a new one from the home page."),
        )
    token = _visitor_token(conversation)
    conversation.save(update_fields=["visitor_token_hash"])
    # The browser that held the conversation until now is signed out: its open sockets close
    # and its posts are refused (issue 13).
    _announce_signed_out(conversation)
    return VisitorAccess(conversation=conversation, token=token)


def conversation_for_token(token: str | None) -> Conversation | None:
    if not token:
        return None
    return Conversation.objects.filter(visitor_token_hash=return_codes.token_hash(token)).first()


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
    publishes nothing, so a resend is harmless (promise 2, docs/design.md). ``visitor_token`` is the
    browser's cookie for a visitor's post from a browser (see ``MessagePost``).
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


@transaction.atomic
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
            cleaned[i] = (_clean_client_id(post.client_id), _clean_body(post.body))
        except ConversationError as error:
            results[i] = error
    ids = {posts[i].conversation_id for i in cleaned}
    conversations = Conversation.objects.select_for_update().in_bulk(sorted(ids))
    stored = {
        (message.conversation_id, message.client_id): message
        for message in Message.objects.filter(
            conversation_id__in=ids, client_id__in={client_id for client_id, _ in cleaned.values()}
        )
    }
    now = timezone.now()
    new: list[tuple[int, Message]] = []
    changed: dict[int, Conversation] = {}
    reopened: dict[int, Conversation] = {}
    for i, (client_id, body) in cleaned.items():
        post = posts[i]
        locked = conversations.get(post.conversation_id)
        if locked is None:
            results[i] = ConversationError("not_found", _("This conversation no longer exists."))
            continue
        known = stored.get((locked.pk, client_id))
        if known is not None:
            results[i] = (known, False)
            continue
        was_ended = locked.status == Conversation.Status.ENDED
        try:
            message = _message_apply(locked, post, client_id, body, now)
        except ConversationError as error:
            results[i] = error
            continue
        if was_ended and locked.counsellor_id:
            reopened[locked.pk] = locked
        stored[(locked.pk, client_id)] = message
        changed[locked.pk] = locked
        new.append((i, message))
    Message.objects.bulk_create([message for _, message in new])
    bind_rows(message for _, message in new)  # bodies bound to their rows (decision 0020)
    _conversations_advance(changed.values())
    for conversation in reopened.values():
        # The visitor came back with the code: a new contact for the same counsellor.
        contact_record_for_conversation(
            conversation=conversation, counsellor=conversation.counsellor
        )
    for i, message in new:
        results[i] = (message, True)
        _message_announce(conversations[message.conversation_id], message)
    return results


_ADVANCED_FIELDS = (
    "last_seq",
    "last_message_at",
    "awaiting_reply",
    "kind",
    "status",
    "ended_at",
    "counsellor_seen_seq",
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
    if sender == Message.Sender.VISITOR:
        if locked.code_blocked_at is not None:
            raise _closed_refusal()
        if post.visitor_token_hash is not None and (
            post.visitor_token_hash != locked.visitor_token_hash
        ):
            raise _signed_out_refusal()
    if sender == Message.Sender.COUNSELLOR and not may_write(author, locked):
        if locked.status == Conversation.Status.ENDED:
            raise ConversationError("conversation_ended", _("This conversation has ended."))
        raise ConversationError(
            "read_only", _("Only the counsellor answering this conversation can write.")
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


def _message_announce(locked: Conversation, message: Message) -> None:
    publish_on_commit(conversation_group(locked.pk), message_event(message))
    if message.sender == Message.Sender.VISITOR:
        # Only who needs to know: the queue when it waits, else the counsellor answering it.
        if locked.status == Conversation.Status.QUEUED or not locked.counsellor_id:
            publish_on_commit(QUEUE_GROUP, QueueChanged())
        else:
            publish_on_commit(
                staff_group(locked.counsellor_id),
                ConversationActivity(conversation_id=locked.pk, unread=locked.unread_count),
            )


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


def _active_chats(user: User) -> int:
    return Conversation.objects.filter(
        counsellor=user, kind=Conversation.Kind.CHAT, status=Conversation.Status.ACTIVE
    ).count()


@transaction.atomic
def conversation_take(*, counsellor: User, conversation_id: int) -> Conversation:
    profile = CounsellorProfile.objects.select_for_update().filter(user=counsellor).first()
    if profile is None or not profile.on_duty:
        raise ConversationError("not_on_duty", _("Go on duty before you take a conversation."))
    conversation = Conversation.objects.select_for_update().filter(pk=conversation_id).first()
    if conversation is None or conversation.status != Conversation.Status.QUEUED:
        raise ConversationError(
            "not_waiting", _("Someone else has already taken this conversation.")
        )
    if held_for_speaker_until(conversation, set(profile.languages or [])):
        raise ConversationError(
            "offered_to_speaker",
            _(
                "This chat is offered first to a colleague on duty who speaks %(language)s. "
                "You can take it if they have not within a minute."
            )
            % {"language": conversation.language_name},
        )
    if conversation.kind == Conversation.Kind.CHAT and _active_chats(counsellor) >= (
        profile.max_chats
    ):
        raise ConversationError(
            "capacity",
            _("You already have %(count)s chats open, your limit.") % {"count": profile.max_chats},
        )
    conversation.counsellor = counsellor
    conversation.status = Conversation.Status.ACTIVE
    conversation.taken_at = timezone.now()
    conversation.save(update_fields=["counsellor", "status", "taken_at"])
    contact_record_for_conversation(conversation=conversation, counsellor=counsellor)
    _announce_joined(conversation, profile.display_name)
    publish_on_commit(QUEUE_GROUP, QueueChanged())
    _publish_queue_positions_on_commit()
    return conversation


def _lock_active(conversation_id: int, refusal: str) -> Conversation:
    conversation = Conversation.objects.select_for_update().get(pk=conversation_id)
    if conversation.status != Conversation.Status.ACTIVE:
        raise ConversationError("not_active", refusal)
    return conversation


def _announce_joined(conversation: Conversation, name: str) -> None:
    """The visitor sees who is now answering."""
    publish_on_commit(
        conversation_group(conversation.pk),
        ConversationJoined(conversation_id=conversation.pk, counsellor_name=name),
    )


@transaction.atomic
def conversation_transfer(*, conversation_id: int, by: User, to: User) -> Conversation:
    """Hand a conversation to another counsellor on duty; the visitor sees the new name."""
    conversation = _lock_active(
        conversation_id, _("Only an active conversation can be transferred.")
    )
    profile = CounsellorProfile.objects.select_for_update().filter(user=to, on_duty=True).first()
    if profile is None or to.pk == conversation.counsellor_id:
        raise ConversationError("transfer_target", _("Choose another counsellor who is on duty."))
    if conversation.kind == Conversation.Kind.CHAT and _active_chats(to) >= profile.max_chats:
        raise ConversationError(
            "transfer_target", _("%(name)s has no room for another chat.") % {"name": profile}
        )
    previous = conversation.counsellor_id
    conversation.counsellor = to
    conversation.save(update_fields=["counsellor"])
    contact_record_for_conversation(conversation=conversation, counsellor=to)
    if previous:
        # Their open sockets stop hearing it at once (issue 13), before the next message.
        publish_on_commit(
            alerts_group(previous), ConversationReleased(conversation_id=conversation.pk)
        )
    audit_record(
        actor=by,
        action="conversation.transferred",
        object_type="conversation",
        object_id=conversation.pk,
        data={"to": to.pk},
    )
    _announce_joined(conversation, profile.display_name)
    publish_on_commit(QUEUE_GROUP, QueueChanged())
    return conversation


@transaction.atomic
def conversation_join(*, conversation_id: int, supervisor: User) -> Conversation:
    """A supervisor steps into a live conversation and may write in it."""
    conversation = _lock_active(conversation_id, _("Only an active conversation can be joined."))
    conversation.supervisor = supervisor
    conversation.save(update_fields=["supervisor"])
    audit_record(
        actor=supervisor,
        action="conversation.joined",
        object_type="conversation",
        object_id=conversation.pk,
    )
    name = getattr(CounsellorProfile.objects.filter(user=supervisor).first(), "display_name", "")
    _announce_joined(conversation, name)
    return conversation


@transaction.atomic
def conversation_end(
    *, conversation: Conversation, ended_by: str, visitor_token: str | None = None
) -> Conversation:
    """End it; ``visitor_token`` is the cookie when a visitor's browser ends it, which must
    still be the conversation's (a browser signed out by a return elsewhere cannot)."""
    locked = Conversation.objects.select_for_update().get(pk=conversation.pk)
    if visitor_token is not None and (
        locked.visitor_token_hash != return_codes.token_hash(visitor_token)
    ):
        raise _signed_out_refusal()
    if locked.status == Conversation.Status.ENDED:
        return locked
    was_queued = locked.status == Conversation.Status.QUEUED
    locked.status = Conversation.Status.ENDED
    locked.ended_at = timezone.now()
    locked.awaiting_reply = False
    locked.save(update_fields=["status", "ended_at", "awaiting_reply"])
    contact_record_conversation_ended(conversation=locked)
    publish_on_commit(
        conversation_group(locked.pk),
        ConversationEnded(conversation_id=locked.pk, ended_by=ended_by),
    )
    publish_on_commit(QUEUE_GROUP, QueueChanged())
    if was_queued:
        _publish_queue_positions_on_commit()
    return locked


@transaction.atomic
def conversation_flag(
    *, conversation: Conversation, by: User, reason: str, note: str = "", block_code: bool
) -> Conversation:
    """Flag a conversation as abusive; optionally block its return code, which also ends it,
    signs its browser out and closes its open sockets. Nothing about the visitor's device or
    address is kept."""
    if reason not in FlagReason.values:
        raise ConversationError("reason_invalid", _("Choose a reason."))
    locked = Conversation.objects.select_for_update().get(pk=conversation.pk)
    now = timezone.now()
    locked.flag_reason = reason
    locked.flag_note = (note or "").strip()[:2000]
    locked.flagged_by = by
    locked.flagged_at = now
    fields = ["flag_reason", "flag_note", "flagged_by", "flagged_at"]
    if block_code and locked.code_blocked_at is None:
        locked.code_blocked_at = now
        locked.visitor_token_hash = None
        fields += ["code_blocked_at", "visitor_token_hash"]
    locked.save(update_fields=fields)
    audit_record(
        actor=by,
        action="conversation.flagged",
        object_type="conversation",
        object_id=locked.pk,
        data={"reason": reason},
    )
    if "code_blocked_at" in fields:
        audit_record(
            actor=by,
            action="conversation.code_blocked",
            object_type="conversation",
            object_id=locked.pk,
        )
        locked = conversation_end(conversation=locked, ended_by="counsellor")
        _announce_signed_out(locked)
    return locked


def conversation_mark_seen(*, conversation: Conversation, seq: int, by: User) -> None:
    """The answering counsellor has seen the conversation up to ``seq``. Anyone else reading
    it (a supervisor observing) leaves the counsellor's unread marker alone."""
    Conversation.objects.filter(
        pk=conversation.pk, counsellor=by, counsellor_seen_seq__lt=seq
    ).update(counsellor_seen_seq=min(seq, conversation.last_seq))


@transaction.atomic
def duty_set(*, user: User, on_duty: bool) -> CounsellorProfile:
    profile = CounsellorProfile.objects.select_for_update().get(user=user)
    profile.on_duty = on_duty
    profile.on_duty_since = timezone.now() if on_duty else None
    profile.save(update_fields=["on_duty", "on_duty_since"])
    publish_on_commit(QUEUE_GROUP, QueueChanged())
    return profile


def typing_signal(*, conversation: Conversation, sender: str) -> None:
    """Not stored, so published at once."""
    publish(
        conversation_group(conversation.pk),
        ConversationTyping(conversation_id=conversation.pk, sender=sender),
    )


def feedback_record(*, answer: str) -> Feedback:
    if answer not in Feedback.Answer.values:
        raise ConversationError("answer_invalid", _("Choose one of the answers."))
    return Feedback.objects.create(answer=answer, day=timezone.localdate())


def queue_positions() -> list[tuple[int, int, int]]:
    """(conversation id, position, estimated minutes) for every waiting chat, oldest first."""
    on_duty = max(1, CounsellorProfile.objects.filter(on_duty=True).count())
    waiting = Conversation.objects.filter(
        kind=Conversation.Kind.CHAT, status=Conversation.Status.QUEUED
    ).order_by("created_at", "pk")
    return [
        (pk, position, -(-position * MINUTES_PER_CHAT_AHEAD // on_duty))
        for position, pk in enumerate(waiting.values_list("pk", flat=True), start=1)
    ]


def _publish_queue_positions_on_commit() -> None:
    def send():
        for pk, position, minutes in queue_positions():
            publish(
                conversation_group(pk),
                QueuePosition(conversation_id=pk, position=position, wait_minutes=minutes),
            )

    transaction.on_commit(send, robust=True)

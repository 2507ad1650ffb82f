"""The queue and duty: going on duty, taking a conversation, transferring, a supervisor
joining, ending, flagging abuse (with blocking the return code), and a waiting chat turned
into a message answered later (the visitor's choice after the waiting limit, or the line
closing, or the last counsellor going off duty: nobody is left waiting)."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from huoli.accounts.models import CounsellorProfile, User
from huoli.contacts.services import (
    contact_record_conversation_ended,
    contact_record_for_conversation,
)
from huoli.conversations import return_codes
from huoli.conversations.errors import ConversationError
from huoli.conversations.models import Conversation, DutyPeriod, FlagReason
from huoli.conversations.selectors import (
    active_chats_count,
    chat_availability,
    held_for_speaker_until,
)
from huoli.conversations.services._common import (
    announce_joined,
    announce_signed_out,
    publish_queue_positions_on_commit,
    signed_out_refusal,
)
from huoli.core.audit import audit_record
from huoli.core.events import (
    QUEUE_GROUP,
    ConversationBecameMessage,
    ConversationEnded,
    ConversationReleased,
    QueueChanged,
    alerts_group,
    conversation_group,
    publish_on_commit,
)
from huoli.core.policy import may_end, may_flag, may_join, may_transfer
from huoli.helpline.models import WaitingLimit


class OpenChatsRefusal(ConversationError):
    """Going off duty with live chats still open: ``conversations`` are the open chats, to
    transfer or end first."""

    def __init__(self, conversations: list[Conversation]):
        super().__init__(
            "open_chats",
            _(
                "You still have open chats: %(chats)s. Transfer them to a colleague or end "
                "them before you go off duty."
            )
            % {"chats": ", ".join(str(c) for c in conversations)},
        )
        self.conversations = conversations


@transaction.atomic
def duty_set(*, user: User, on_duty: bool) -> CounsellorProfile:
    """On or off duty. Off duty is refused while the counsellor still answers a live chat
    (``OpenChatsRefusal``: a visitor must not be left talking to nobody). When the last
    counsellor goes off duty, the chats still waiting become messages answered later
    (``waiting_chats_to_messages``). Each stretch on duty is kept as a ``DutyPeriod``, a
    shift."""
    profile = CounsellorProfile.objects.select_for_update().get(user=user)
    if not on_duty and profile.on_duty:
        open_chats = list(
            Conversation.objects.filter(
                counsellor=user, kind=Conversation.Kind.CHAT, status=Conversation.Status.ACTIVE
            ).order_by("created_at", "pk")
        )
        if open_chats:
            raise OpenChatsRefusal(open_chats)
    now = timezone.now()
    open_periods = DutyPeriod.objects.filter(counsellor=user, ended_at__isnull=True)
    if on_duty and not open_periods.exists():
        DutyPeriod.objects.create(counsellor=user, started_at=now)
    elif not on_duty:
        open_periods.update(ended_at=now)
    profile.on_duty = on_duty
    profile.on_duty_since = now if on_duty else None
    profile.save(update_fields=["on_duty", "on_duty_since"])
    publish_on_commit(QUEUE_GROUP, QueueChanged())
    if not on_duty:
        waiting_chats_to_messages()
    return profile


# Why a waiting chat became a message (``conversation.became_message``'s ``reason``).
BECAME_CHOSEN = "chosen"  # the visitor chose it after the waiting limit
BECAME_CLOSED = "closed"  # the line closed, or the last counsellor went off duty


def _to_message(locked: Conversation, reason: str) -> None:
    """The locked waiting chat becomes a written message: still waiting in the queue, to be
    answered later by whoever takes it; its messages, return code and browser stay."""
    locked.kind = Conversation.Kind.MESSAGE
    locked.awaiting_reply = True
    locked.save(update_fields=["kind", "awaiting_reply"])
    publish_on_commit(
        conversation_group(locked.pk),
        ConversationBecameMessage(conversation_id=locked.pk, reason=reason),
    )


@transaction.atomic
def conversation_to_message(*, conversation_id: int, visitor_token: str) -> Conversation:
    """The visitor turns their waiting chat into a message answered later. Only a chat
    still waiting, only from the browser that holds it, and only once it has waited the
    waiting limit (``WaitingLimit``) or while chats are closed (the line closed, nobody on
    duty)."""
    locked = Conversation.objects.select_for_update().filter(pk=conversation_id).first()
    if locked is None or locked.visitor_token_hash != return_codes.token_hash(visitor_token):
        raise signed_out_refusal()
    if locked.kind != Conversation.Kind.CHAT or locked.status != Conversation.Status.QUEUED:
        raise ConversationError(
            "not_waiting", gettext_lazy("Only a chat that is still waiting can become a message.")
        )
    limit = timedelta(seconds=WaitingLimit.current().chat_seconds)
    if locked.created_at + limit > timezone.now() and chat_availability().chats_open:
        raise ConversationError(
            "too_soon", gettext_lazy("A counsellor will answer soon. Please wait a little longer.")
        )
    _to_message(locked, BECAME_CHOSEN)
    publish_on_commit(QUEUE_GROUP, QueueChanged())
    publish_queue_positions_on_commit()
    return locked


@transaction.atomic
def waiting_chats_to_messages() -> int:
    """While chats are closed (the line closed, or nobody is on duty), every chat still
    waiting becomes a message answered later, and its visitor is told; calls (the telephone
    has its own timeout) and call-back requests stay as they are. Returns how many. Run by
    ``duty_set`` and every minute (``manage.py queue_sweep``, the embedded scheduler)."""
    if chat_availability().chats_open:
        return 0
    waiting = list(
        Conversation.objects.select_for_update()
        .filter(kind=Conversation.Kind.CHAT, status=Conversation.Status.QUEUED)
        .order_by("pk")
    )
    for locked in waiting:
        _to_message(locked, BECAME_CLOSED)
    if waiting:
        publish_on_commit(QUEUE_GROUP, QueueChanged())
    return len(waiting)


@transaction.atomic
def conversation_take(
    *,
    counsellor: User,
    conversation_id: int,
    answering_call: bool = False,
    picked_up: bool = False,
) -> Conversation:
    """Take a waiting conversation. A call is taken only by answering it on the phone
    (``answering_call``: ``calls.services.call_answer``), never with a button.

    ``picked_up``: a desk phone Huoli rang has already answered the call, so the caller is
    talking to this counsellor. Duty, language and room were the rules of that ring; what
    changed since (they went off duty while it rang) cannot undo the answer, and the record
    must say who talked."""
    profile = CounsellorProfile.objects.select_for_update().filter(user=counsellor).first()
    if picked_up and not answering_call:
        raise ConversationError("not_waiting", _("Answer a call with the phone."))
    if profile is None or not (profile.on_duty or picked_up):
        raise ConversationError("not_on_duty", _("Go on duty before you take a conversation."))
    conversation = Conversation.objects.select_for_update().filter(pk=conversation_id).first()
    if conversation is None or conversation.status != Conversation.Status.QUEUED:
        raise ConversationError(
            "not_waiting", _("Someone else has already taken this conversation.")
        )
    if (conversation.kind == Conversation.Kind.CALL) != answering_call:
        raise ConversationError("not_waiting", _("Answer a call with the phone."))
    if conversation.queued_from is not None and conversation.queued_from > timezone.now():
        raise ConversationError(
            "not_yet", _("This call-back request waits for the time the family chose.")
        )
    if not picked_up and held_for_speaker_until(conversation, set(profile.languages or [])):
        raise ConversationError(
            "offered_to_speaker",
            _(
                "This chat is offered first to a colleague on duty who speaks %(language)s. "
                "You can take it if they have not within a minute."
            )
            % {"language": conversation.language_name},
        )
    if (
        not picked_up
        and conversation.kind in Conversation.LIVE_KINDS
        and active_chats_count(counsellor) >= profile.max_chats
    ):
        raise ConversationError(
            "capacity",
            _("You already have %(count)s chats open, your limit.") % {"count": profile.max_chats},
        )
    conversation.counsellor = counsellor
    conversation.status = Conversation.Status.ACTIVE
    conversation.taken_at = timezone.now()
    conversation.save(update_fields=["counsellor", "status", "taken_at"])
    if conversation.kind != Conversation.Kind.CALLBACK:
        # A call-back gets its record when the family is reached (``calls.services``).
        contact_record_for_conversation(conversation=conversation, counsellor=counsellor)
    announce_joined(conversation, profile.display_name)
    publish_on_commit(QUEUE_GROUP, QueueChanged())
    publish_queue_positions_on_commit()
    return conversation


@transaction.atomic
def conversation_requeue(*, conversation_id: int, queued_from) -> Conversation:
    """Put a call-back request back in the queue for its next window: nobody's, waiting,
    offered from ``queued_from``. Whose rule lets it go back is the caller's to ask
    (``calls.services.callback_outcome``)."""
    conversation = Conversation.objects.select_for_update().get(pk=conversation_id)
    if conversation.kind != Conversation.Kind.CALLBACK:
        raise ConversationError("kind_invalid", _("Only a call-back request waits again."))
    if conversation.status != Conversation.Status.ACTIVE:
        raise ConversationError("not_active", _("This call-back request is not yours now."))
    conversation.status = Conversation.Status.QUEUED
    conversation.counsellor = None
    conversation.taken_at = None
    conversation.queued_from = queued_from
    conversation.save(update_fields=["status", "counsellor", "taken_at", "queued_from"])
    publish_on_commit(QUEUE_GROUP, QueueChanged())
    return conversation


def not_allowed() -> ConversationError:
    """The policy (``core.policy``) says no: the person may not do this with it."""
    return ConversationError("not_allowed", _("Not allowed"))


def _lock_active(conversation_id: int, refusal: str) -> Conversation:
    conversation = Conversation.objects.select_for_update().get(pk=conversation_id)
    if conversation.status != Conversation.Status.ACTIVE:
        raise ConversationError("not_active", refusal)
    return conversation


@transaction.atomic
def conversation_transfer(*, conversation_id: int, by: User, to: User | None) -> Conversation:
    """Hand a conversation to another counsellor on duty; the visitor sees the new name.
    Only the counsellor answering it (``may_transfer``); ``to`` is None when the form named
    nobody."""
    conversation = _lock_active(
        conversation_id, _("Only an active conversation can be transferred.")
    )
    if not may_transfer(by, conversation):
        raise not_allowed()
    profile = (
        CounsellorProfile.objects.select_for_update().filter(user=to, on_duty=True).first()
        if to is not None
        else None
    )
    if profile is None or to.pk == conversation.counsellor_id:
        raise ConversationError("transfer_target", _("Choose another counsellor who is on duty."))
    if conversation.kind in Conversation.LIVE_KINDS and active_chats_count(to) >= profile.max_chats:
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
    announce_joined(conversation, profile.display_name)
    publish_on_commit(QUEUE_GROUP, QueueChanged())
    return conversation


@transaction.atomic
def conversation_join(*, conversation_id: int, supervisor: User) -> Conversation:
    """A supervisor steps into a live conversation and may write in it (``may_join``: a
    supervisor not already writing in it)."""
    conversation = _lock_active(conversation_id, _("Only an active conversation can be joined."))
    if not may_join(supervisor, conversation):
        raise not_allowed()
    conversation.supervisor = supervisor
    conversation.save(update_fields=["supervisor"])
    audit_record(
        actor=supervisor,
        action="conversation.joined",
        object_type="conversation",
        object_id=conversation.pk,
    )
    name = getattr(CounsellorProfile.objects.filter(user=supervisor).first(), "display_name", "")
    announce_joined(conversation, name)
    return conversation


@transaction.atomic
def conversation_end(
    *,
    conversation: Conversation,
    ended_by: str,
    by: User | None = None,
    visitor_token: str | None = None,
    callback_closed: bool = False,
) -> Conversation:
    """End it. A call-back request ends only with its outcome (``calls.services.callbacks``
    closes it and deletes its number, then passes ``callback_closed``); any other end is
    refused, so no number outlives its conversation.

    A visitor's end (``ended_by="visitor"``) passes ``visitor_token``, the cookie of the
    browser that ends it, which must still be the conversation's (a browser signed
    out by a return elsewhere cannot). Any other end is a staff member's: ``by`` ends it if
    ``may_end`` says so (the counsellor answering it, supervisors)."""
    locked = Conversation.objects.select_for_update().get(pk=conversation.pk)
    if locked.kind == Conversation.Kind.CALLBACK and not callback_closed:
        raise ConversationError(
            "callback_outcome", _("A call-back request is closed with how the call went.")
        )
    if ended_by == "visitor":
        if visitor_token is not None and (
            locked.visitor_token_hash != return_codes.token_hash(visitor_token)
        ):
            raise signed_out_refusal()
    elif not may_end(by, locked):
        raise not_allowed()
    return _end(locked, ended_by)


def _end(locked: Conversation, ended_by: str) -> Conversation:
    """End the locked conversation (whoever's rule let it end has been asked)."""
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
        publish_queue_positions_on_commit()
    return locked


@transaction.atomic
def conversation_flag(
    *, conversation: Conversation, by: User, reason: str, note: str = "", block_code: bool
) -> Conversation:
    """Flag a conversation as abusive; optionally block its return code, which also ends it,
    signs its browser out and closes its open sockets. Nothing about the visitor's device or
    address is kept. ``may_flag`` decides who may (blocking ends it under the flag's rule,
    not ``may_end``'s: any counsellor may flag and block a waiting one)."""
    locked = Conversation.objects.select_for_update().get(pk=conversation.pk)
    if not may_flag(by, locked):
        raise ConversationError(
            "not_allowed", _("Only the counsellor answering it or a supervisor can flag it.")
        )
    if reason not in FlagReason.values:
        raise ConversationError("reason_invalid", _("Choose a reason."))
    now = timezone.now()
    locked.flag_reason = reason
    locked.flag_note = (note or "").strip()[:2000]
    locked.flagged_by = by
    locked.flagged_at = now
    fields = ["flag_reason", "flag_note", "flagged_by", "flagged_at"]
    if block_code and locked.kind == Conversation.Kind.CALLBACK:
        # Blocking would end it and leave its number: it is closed with its outcome.
        raise ConversationError(
            "callback_outcome", _("A call-back request is closed with how the call went.")
        )
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
        locked = _end(locked, "counsellor")
        announce_signed_out(locked)
    return locked

"""Starting a conversation, and coming back to one with its return code.

``conversation_start`` enforces the line's rules itself, so every way in (the public page,
the form without JavaScript, a socket, the telephone) gets them (decision 0027): a chat
starts only while the line is open and someone is on duty; a written message may be left
any time; while the flood switch is on, both pass the flood gate first."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from huoli.conversations import return_codes
from huoli.conversations.errors import ConversationError, StartRefused
from huoli.conversations.flood import start_gate, waiting_room_open_for_chats
from huoli.conversations.models import Conversation, Message
from huoli.conversations.selectors import (
    chat_availability,
    queued_calls_count,
    queued_chats_count,
)
from huoli.conversations.services._common import (
    announce_signed_out,
    clean_body,
    publish_queue_positions_on_commit,
    visitor_token_issue,
)
from huoli.conversations.services.messages import message_post
from huoli.core.events import QUEUE_GROUP, QueueChanged, publish_on_commit
from huoli.helpline.models import FloodSwitch


@dataclass(frozen=True)
class VisitorAccess:
    conversation: Conversation
    token: str
    return_code: str | None = None


@dataclass(frozen=True)
class StartWork:
    """What a start brings to the flood gate: the browser's proof of work (the signed
    challenge and its nonce) or its waiting-room ticket, and the address that picks the
    source's places and counts its starts (hashed under a daily key, never kept)."""

    challenge: str = ""
    nonce: str = ""
    ticket: str = ""
    address: str = ""


def chat_closed_refusal() -> StartRefused | None:
    """Why a chat may not start now (the line is closed, nobody is on duty), or None."""
    availability = chat_availability()
    if availability.chats_open:
        return None
    text = _("The chat is closed right now. You can leave a message instead.")
    if not availability.line.open_now:
        return StartRefused("line_closed", text)
    return StartRefused("nobody_on_duty", text)


def call_closed_refusal() -> StartRefused | None:
    """Why a call may not start now (the line is closed, nobody on duty takes calls), or
    None."""
    availability = chat_availability()
    if availability.calls_open:
        return None
    text = _("Calls are not answered right now. You can leave a message instead.")
    if not availability.line.open_now:
        return StartRefused("line_closed", text)
    return StartRefused("nobody_on_duty", text)


def _flood_gate(kind: str, work: StartWork | None) -> None:
    """While the flood switch is on: the source's starts this hour, then the work or the
    wait; chats without the work fill only part of the queue (decision 0022). A caller with
    no form behind it (``work`` None) is refused without a waiting-room ticket: it could not
    come back with one, and its calls must not use up the places families' browsers wait
    in."""
    switch = FloodSwitch.current()
    if not switch.on:
        return
    if work is None:
        raise StartRefused(
            "flood_gate",
            _("Many people are contacting us right now. Please try again in a moment."),
        )
    gate = start_gate(
        challenge=work.challenge,
        nonce=work.nonce,
        ticket=work.ticket,
        wait_seconds=switch.wait_seconds,
        address=work.address,
        waiting_room=kind != Conversation.Kind.CHAT or waiting_room_open_for_chats(),
    )
    if not gate.passed:
        raise StartRefused(
            "flood_gate",
            _("Many people are contacting us right now. Please try again in a moment."),
            gate=gate,
        )


def conversation_start(
    *,
    kind: str,
    language: str,
    nickname: str = "",
    first_message: str = "",
    interpreter_needed: bool = False,
    work: StartWork | None = None,
    queued_from=None,
    made_by_staff: bool = False,
) -> VisitorAccess:
    """Start a chat, a written message, a call or a call-back request; returns the return
    code and the browser token (a call uses neither: they are never shown). ``queued_from``:
    the conversation is offered in the queue only from then on (a call-back's window).
    ``made_by_staff``: a counsellor makes it for a family they are talking with (a call-back
    asked for during a chat or a call); no flood gate, which guards the public forms.

    Refused (``StartRefused``) for a chat while the line is closed or nobody is on duty, for
    a call while the line is closed or nobody on duty takes calls, and
    for either while the flood switch is on and ``work`` does not pass the gate (a caller
    with no form behind it passes ``work=None`` and is refused without a ticket). The checks
    run before the transaction, so the cache work of the gate holds no database lock."""
    if kind not in Conversation.Kind.values:
        raise ConversationError("kind_invalid", _("Choose chat or message."))
    if queued_from is not None and kind != Conversation.Kind.CALLBACK:
        raise ConversationError("kind_invalid", _("Choose chat or message."))
    if kind == Conversation.Kind.CHAT:
        refusal = chat_closed_refusal()
        if refusal is not None:
            raise refusal
    if kind == Conversation.Kind.CALL:
        # A call brings no form to the flood gate (a telephone cannot do the work); its
        # place in the queue is capped instead (decision 0034).
        refusal = call_closed_refusal()
        if refusal is not None:
            raise refusal
    elif not made_by_staff:
        _flood_gate(kind, work)
    return _conversation_create(
        kind=kind,
        language=language,
        nickname=nickname,
        first_message=first_message,
        interpreter_needed=interpreter_needed,
        queued_from=queued_from,
        # A counsellor's own call-back request is no news to the consoles.
        arrived="" if made_by_staff else kind,
    )


@transaction.atomic
def _conversation_create(
    *,
    kind: str,
    language: str,
    nickname: str,
    first_message: str,
    interpreter_needed: bool,
    queued_from,
    arrived: str = "",
) -> VisitorAccess:
    if kind == Conversation.Kind.CHAT and queued_chats_count() >= settings.HUOLI_MAX_QUEUE:
        raise ConversationError(
            "queue_full",
            _("The queue is full right now. Please leave a message or try again soon."),
        )
    if kind == Conversation.Kind.CALL and queued_calls_count() >= settings.HUOLI_MAX_QUEUE:
        raise ConversationError(
            "queue_full",
            _("The queue is full right now. Please leave a message or try again soon."),
        )
    if kind == Conversation.Kind.MESSAGE:
        first_message = clean_body(first_message)
    now = timezone.now()
    if kind == Conversation.Kind.CALL:
        # A caller has no return code and no browser token: a random value fills the unique
        # column, matches no code, and spares the slow hash (Kamailio waits for the answer).
        code, token = None, ""
        code_hash = "call:" + secrets.token_hex(24)
    else:
        code = return_codes.generate()
        code_hash = return_codes.code_hash(code)
    conversation = Conversation(
        kind=kind,
        language=language,
        nickname=(nickname or "").strip()[:40],
        created_at=now,
        return_code_hash=code_hash,
        interpreter_needed=interpreter_needed,
        queued_from=queued_from,
    )
    if kind != Conversation.Kind.CALL:
        token = visitor_token_issue(conversation)
    conversation.save()
    if first_message:
        message_post(
            conversation=conversation,
            sender=Message.Sender.VISITOR,
            client_id=secrets.token_hex(8),
            body=first_message,
        )
    # What came into the queue now (a call-back later, when its window opens: see
    # ``calls.services.callbacks.callback_windows_announce``), so the consoles can tell.
    if queued_from is not None and queued_from > now:
        arrived = ""
    publish_on_commit(QUEUE_GROUP, QueueChanged(arrived=arrived))
    publish_queue_positions_on_commit()
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
    token = visitor_token_issue(conversation)
    conversation.save(update_fields=["visitor_token_hash"])
    # The browser that held the conversation until now is signed out: its open sockets close
    # and its posts are refused (issue 13).
    announce_signed_out(conversation)
    return VisitorAccess(conversation=conversation, token=token)

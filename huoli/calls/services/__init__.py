"""Calls enter, ring, wait, are answered and end here.

Kamailio asks ``call_route`` what to do with each call and tells ``call_event`` what
happened (the phone edge, ``huoli.phone``, carries both over HTTP); the console softphone's
"Answer" is ``call_answer`` and its "Hang up" ``call_hang_up``. A call is a conversation of kind
``call``: it starts through ``conversation_start``'s rules (the line open, someone on duty who
takes calls) and is taken and ended through the queue's services and the one policy.
"""

from __future__ import annotations

import contextlib
import hashlib
import secrets
import string
from dataclasses import dataclass, field, replace
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from huoli.accounts.models import CounsellorProfile, User
from huoli.calls.errors import CallError
from huoli.calls.models import Call, CallLine
from huoli.calls.selectors import (
    DESK_PHONE_REALM,
    REGISTERED_KEY,
    call_for_ref,
    call_ref_hash,
    caller_blocked,
    caller_hash,
    ring_targets,
    sip_user,
    user_pk_from_sip_user,
    web_calls_waiting,
)
from huoli.conversations.errors import ConversationError, StartRefused
from huoli.conversations.models import Conversation
from huoli.conversations.selectors import on_a_call
from huoli.conversations.services.queue import conversation_end, conversation_take
from huoli.conversations.services.start import conversation_start
from huoli.core.audit import audit_record
from huoli.core.policy import may_answer_call, may_pick_up_call
from huoli.core.roles import Role

__all__ = [
    "RouteAnswer",
    "call_answer",
    "call_decline",
    "call_event",
    "call_hang_up",
    "call_route",
    "desk_phone_ha1_of",
    "desk_phone_password_make",
    "registration_allowed",
    "registration_token_issue",
    "sip_user",
    "web_call_token_issue",
]

WEB_TOKEN_SALT = "huoli.calls.web"  # noqa: S105 (a signing namespace, not a secret)
WEB_TOKEN_SECONDS = 120
REGISTER_TOKEN_SALT = "huoli.calls.register"  # noqa: S105
REGISTER_TOKEN_SECONDS = 12 * 3600
# Typed into a desk phone's keypad or web page: letters and digits that cannot be confused.
DESK_PHONE_ALPHABET = "".join(c for c in string.ascii_letters + string.digits if c not in "0O1lI")
DESK_PHONE_PASSWORD_LENGTH = 20


@dataclass(frozen=True)
class RouteAnswer:
    """What Kamailio does with a call: ``ring`` the ``users``' softphones, let the caller
    wait in the ``queue`` (hearing ``announcement``), or ``reject`` it with a SIP ``code``
    (after the ``announcement`` when there is one)."""

    action: str
    conversation_id: int | None = None
    users: list[str] = field(default_factory=list)
    code: int = 0
    announcement: str = ""
    # A web call that started now from a page visited with a campaign code: the code its
    # token carried, for the phone edge to count (``outreach``); "" otherwise. Never stored.
    campaign: str = ""


def _spoken(line: str) -> bool:
    return line in {code for code, _name in settings.HUOLI_SPOKEN_LANGUAGES}


def web_call_token_issue(*, line: str, campaign: str = "") -> str:
    """A one-time permission for a browser to call ``line`` within two minutes (the web call
    page asks for it after the start rules passed; Kamailio passes it back in the INVITE).
    ``campaign``: the page's campaign code, handed back in ``RouteAnswer.campaign`` when the
    call starts (signed, so only a code the page had; this app does not read it)."""
    data = {"l": line, "n": secrets.token_urlsafe(12)}
    if campaign:
        data["c"] = campaign
    return signing.dumps(data, salt=WEB_TOKEN_SALT)


def _web_token_valid(token: str, line: str) -> dict | None:
    """The token's contents if it lets this call through (once), else None."""
    try:
        data = signing.loads(token, salt=WEB_TOKEN_SALT, max_age=WEB_TOKEN_SECONDS)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("l") != line:
        return None
    # One call per token: a copied token cannot start a second call.
    if not cache.add(f"calls:web-token:{data.get('n')}", 1, WEB_TOKEN_SECONDS + 10):
        return None
    return data


def call_route(
    *,
    call_ref: str,
    line: str,
    source: str,
    caller: str = "",
    token: str = "",
    final: bool = False,
) -> RouteAnswer:
    """Where a call goes now. The first question about a call offers it (a conversation of
    kind ``call`` starts under the line's rules); every later one (after a ring round failed,
    or while it waits) looks at it again. ``final``: Kamailio cannot keep the call any longer
    (its ring rounds used up what one call may take), so it ends as if it had waited too long."""
    call = call_for_ref(call_ref)
    if call is None:
        return _offer(call_ref=call_ref, line=line, source=source, caller=caller, token=token)
    return _route_again(call, final=final)


def _offer(*, call_ref: str, line: str, source: str, caller: str, token: str) -> RouteAnswer:
    if not _spoken(line) or source not in Call.Source.values:
        return RouteAnswer("reject", code=404)
    campaign = ""
    if source == Call.Source.WEB:
        granted = _web_token_valid(token, line)
        if granted is None:
            return RouteAnswer("reject", code=403)
        campaign = str(granted.get("c") or "")
    hashed = caller_hash(caller) if source == Call.Source.TRUNK else ""
    if caller_blocked(hashed):
        return RouteAnswer("reject", code=403)
    calls_abandoned_end()
    if source == Call.Source.WEB and web_calls_waiting() >= settings.HUOLI_MAX_QUEUE // 2:
        # Web calls take at most half of the call queue: a script cannot keep telephone
        # callers out with them.
        return RouteAnswer("reject", code=486)
    try:
        with transaction.atomic():
            access = conversation_start(kind=Conversation.Kind.CALL, language=line)
            call = Call.objects.create(
                conversation=access.conversation,
                line=line,
                source=source,
                ref_hash=call_ref_hash(call_ref),
                caller_hash=hashed,
                offered_at=access.conversation.created_at,
            )
    except StartRefused as refusal:
        announcement = "closed" if refusal.code == "line_closed" else "later"
        return RouteAnswer("reject", code=480, announcement=announcement)
    except ConversationError:
        return RouteAnswer("reject", code=486, announcement="later")
    except IntegrityError:
        # The same call asked twice at once: the other question offered it (and carries
        # its campaign code).
        call = call_for_ref(call_ref)
        if call is None:
            raise
        return _route_again(call)
    return replace(_route_again(call), campaign=campaign)


@transaction.atomic
def _route_again(call: Call, *, final: bool = False) -> RouteAnswer:
    call = Call.objects.select_for_update().select_related("conversation").get(pk=call.pk)
    conversation = call.conversation
    if conversation.status != Conversation.Status.QUEUED:
        # Answered or ended meanwhile: nothing to ring any more.
        return RouteAnswer("reject", conversation.pk, code=487)
    now = timezone.now()
    call.asked_at = now
    call.save(update_fields=["asked_at"])
    limit = timedelta(minutes=CallLine.current().wait_limit_minutes)
    if final or now - call.offered_at >= limit:
        call.outcome = Call.Outcome.TIMED_OUT
        call.ended_at = now
        call.save(update_fields=["outcome", "ended_at"])
        conversation_end(conversation=conversation, ended_by="visitor")
        return RouteAnswer("reject", conversation.pk, code=480, announcement="later")
    pause = timedelta(seconds=settings.HUOLI_CALL_POLL_SECONDS)
    if call.rang_at is None or now - call.rang_at >= pause:
        profiles, interpreter = ring_targets(conversation)
        if profiles:
            call.rang_at = now
            call.rang_users = [profile.user_id for profile in profiles]
            call.save(update_fields=["rang_at", "rang_users"])
            if interpreter and not conversation.interpreter_needed:
                conversation.interpreter_needed = True
                conversation.save(update_fields=["interpreter_needed"])
            return RouteAnswer(
                "ring", conversation.pk, users=[sip_user(profile.user) for profile in profiles]
            )
    return RouteAnswer("queue", conversation.pk, announcement="queue")


@transaction.atomic
def call_answer(*, by: User, conversation_id: int, picked_up: bool = False) -> Conversation:
    """A counsellor answers a ringing call in the console: the call becomes theirs (and the
    record draft of a phone call opens) before their softphone sends the answer, so two
    counsellors pressing "Answer" at once cannot both talk to the caller.

    ``picked_up``: their desk phone, which this call rang, has already answered it (Kamailio
    reports it). The caller is talking to them, so the rules of answering (on duty, one call
    at a time, room) were those of the ring; only "it rang you" and "it still waits" count."""
    profile = CounsellorProfile.objects.select_for_update().filter(user=by).first()
    conversation = Conversation.objects.select_for_update().filter(pk=conversation_id).first()
    if conversation is None or conversation.kind != Conversation.Kind.CALL:
        raise CallError("not_found", _("This call is no longer waiting."))
    if conversation.status != Conversation.Status.QUEUED:
        raise CallError("answered_elsewhere", _("Someone else has already answered this call."))
    allowed = (
        may_pick_up_call(by, conversation)
        if picked_up
        else may_answer_call(by, conversation, profile)
    )
    if not allowed:
        raise CallError("not_allowed", _("Go on duty and take calls before you answer one."))
    if not picked_up and on_a_call(by):
        raise CallError("one_call", _("Hang up your current call before you answer another."))
    call = Call.objects.filter(conversation=conversation).first()
    if call is None or by.pk not in (call.rang_users or []):
        # Only a phone this call rang may take it (an id typed into the answer URL does not).
        raise CallError("not_rung", _("This call is no longer waiting."))
    try:
        conversation = conversation_take(
            counsellor=by,
            conversation_id=conversation.pk,
            answering_call=True,
            picked_up=picked_up,
        )
    except ConversationError as error:
        raise CallError(error.code, str(error)) from error
    Call.objects.filter(conversation=conversation).update(
        answered_at=conversation.taken_at, outcome=Call.Outcome.ANSWERED
    )
    return conversation


@transaction.atomic
def call_decline(*, by: User, conversation_id: int) -> None:
    """The counsellor pressed "Decline" on a call ringing them (their softphone answers the
    ring with 486): the next ring rounds go to colleagues first."""
    call = (
        Call.objects.select_for_update()
        .filter(conversation_id=conversation_id, conversation__status=Conversation.Status.QUEUED)
        .first()
    )
    if call is None or by.pk not in (call.rang_users or []):
        raise CallError("not_rung", _("This call is no longer waiting."))
    if by.pk not in (call.declined_users or []):
        call.declined_users = [*(call.declined_users or []), by.pk]
        call.save(update_fields=["declined_users"])


@transaction.atomic
def call_hang_up(*, by: User, conversation_id: int) -> Conversation:
    """The counsellor hangs up (``may_end``); Kamailio's report of the end comes too and
    finds it ended."""
    conversation = (
        Conversation.objects.select_for_update()
        .filter(pk=conversation_id, kind=Conversation.Kind.CALL)
        .first()
    )
    if conversation is None:
        raise CallError("not_found", _("Not allowed"))
    conversation = conversation_end(conversation=conversation, ended_by="counsellor", by=by)
    _call_ended(conversation)
    return conversation


def _call_ended(conversation: Conversation) -> None:
    call = Call.objects.select_for_update().filter(conversation=conversation).first()
    if call is None or call.ended_at is not None:
        return
    call.ended_at = conversation.ended_at or timezone.now()
    if not call.outcome:
        call.outcome = Call.Outcome.ANSWERED if call.answered_at else Call.Outcome.ABANDONED
    call.save(update_fields=["ended_at", "outcome"])


@transaction.atomic
def call_event(*, call_ref: str, event: str, user: str = "") -> None:
    """What Kamailio saw: ``answered`` (a phone's answer went through), ``ended`` (either
    side hung up), ``cancelled`` (the caller hung up before anyone answered) or ``failed``
    (Kamailio ended the call before anyone answered: an error, or a final refusal; the caller
    is gone, as after ``cancelled``).

    ``answered`` names the SIP ``user`` whose phone answered. The console answered through
    ``call_answer`` before its softphone picked up; a desk phone just picks up, so its
    answer is taken here if the call is still waiting and rang that phone's counsellor, even
    if they went off duty while it rang (``call_answer(picked_up=True)``): the caller is
    talking to them, so the call is theirs, not left waiting to be counted abandoned. A
    name the call never rang changes nothing."""
    call = call_for_ref(call_ref)
    if call is None:
        return
    if event == "answered":
        _answered_by_phone(call, user)
        return
    if event not in ("ended", "cancelled", "failed"):
        raise CallError("event_unknown", "unknown event")
    conversation = Conversation.objects.select_for_update().get(pk=call.conversation_id)
    if event in ("cancelled", "failed") and call.outcome == Call.Outcome.ANSWERED:
        # The caller hung up as the answer was being given: nobody talked to them.
        Call.objects.filter(pk=call.pk).update(outcome=Call.Outcome.ABANDONED, answered_at=None)
    if conversation.status != Conversation.Status.ENDED:
        conversation = conversation_end(conversation=conversation, ended_by="visitor")
    _call_ended(conversation)


# Kamailio asks about a waiting call every few seconds, and a ring round lasts at most 30 s:
# a waiting call nobody asked about for this long is no longer on the line (Kamailio gave up
# or restarted) and must not hold a place in the queue.
ABANDONED_AFTER = timedelta(minutes=2)


def calls_abandoned_end(*, now=None) -> int:
    """End the waiting calls Kamailio stopped asking about (outcome abandoned)."""
    now = now or timezone.now()
    stale = Call.objects.filter(
        conversation__status=Conversation.Status.QUEUED,
        conversation__kind=Conversation.Kind.CALL,
    ).filter(
        Q(asked_at__lt=now - ABANDONED_AFTER)
        | Q(asked_at__isnull=True, offered_at__lt=now - ABANDONED_AFTER)
    )
    ended = 0
    for call in stale.select_related("conversation"):
        with transaction.atomic():
            conversation = Conversation.objects.select_for_update().get(pk=call.conversation_id)
            if conversation.status != Conversation.Status.QUEUED:
                continue
            conversation = conversation_end(conversation=conversation, ended_by="visitor")
            _call_ended(conversation)
            ended += 1
    return ended


def registration_note(*, sip_name: str, expires: int) -> None:
    """Kamailio registered (or, with 0, unregistered) this staff member's phone: while the
    registration lasts, calls may ring it and the web page offers "Call us"."""
    pk = user_pk_from_sip_user(sip_name)
    if pk is None:
        return
    key = REGISTERED_KEY.format(pk=pk)
    if expires <= 0:
        cache.delete(key)
    else:
        cache.set(key, 1, min(expires, 3600) + 30)


def _answered_by_phone(call: Call, user: str) -> None:
    pk = user_pk_from_sip_user(user)
    if pk is None or call.conversation.status != Conversation.Status.QUEUED:
        return
    staff = User.objects.filter(pk=pk).first()
    if staff is None:
        return
    with contextlib.suppress(CallError):
        call_answer(by=staff, conversation_id=call.conversation_id, picked_up=True)


def registration_token_issue(*, user: User) -> str:
    return signing.dumps({"u": user.pk}, salt=REGISTER_TOKEN_SALT)


def registration_allowed(*, sip_name: str, token: str) -> bool:
    """May this softphone register as ``sip_name``: its token was issued to that staff
    member in the last 12 hours, and they are on duty and take calls now."""
    pk = user_pk_from_sip_user(sip_name)
    if pk is None:
        return False
    try:
        data = signing.loads(token, salt=REGISTER_TOKEN_SALT, max_age=REGISTER_TOKEN_SECONDS)
    except signing.BadSignature:
        return False
    if data.get("u") != pk:
        return False
    return CounsellorProfile.objects.filter(
        user_id=pk,
        on_duty=True,
        takes_calls=True,
        user__is_active=True,
        user__role__in=[Role.COUNSELLOR, Role.SUPERVISOR],
    ).exists()


def desk_phone_ha1_of(*, sip_name: str, password: str) -> str:
    """What Kamailio checks a desk phone's digest answer against (RFC 2617 HA1)."""
    text = f"{sip_name}:{DESK_PHONE_REALM}:{password}"
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()


@transaction.atomic
def desk_phone_password_make(*, user: User) -> str:
    """A new password for the counsellor's desk phone, returned once: only its digest
    credential is kept, and the previous password stops working (a phone registered with it
    keeps ringing until its registration runs out: Kamailio keeps a desk phone's for 5
    minutes at most)."""
    profile = CounsellorProfile.objects.select_for_update().filter(user=user).first()
    if profile is None:
        raise CallError("no_profile", _("Save your profile before you set up a desk phone."))
    password = "".join(
        secrets.choice(DESK_PHONE_ALPHABET) for _unused in range(DESK_PHONE_PASSWORD_LENGTH)
    )
    profile.desk_phone_ha1 = desk_phone_ha1_of(sip_name=sip_user(user), password=password)
    profile.desk_phone_set_at = timezone.now()
    profile.save(update_fields=["desk_phone_ha1", "desk_phone_set_at"])
    audit_record(
        actor=user, action="accounts.desk_phone_password", object_type="user", object_id=user.pk
    )
    return password

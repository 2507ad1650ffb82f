"""Call-back requests: a family asks to be phoned at times that suit them (decision 0038).

A request is a conversation of kind ``callback`` (its return code, language, interpreter
need, queue place, counsellor and record) with a ``CallbackRequest`` beside it (the
encrypted number, the windows, what the counsellor may say). It waits outside the queue
until its first window opens; the counsellor who takes it alone sees the number (each
showing audited), phones it and says how it went. No answer puts it back for the next
window; after the last one it expires. Whenever it closes the number is deleted at once,
and at the latest after the retention period for them (``huoli.retention``)."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.core import signing
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from huoli.accounts.models import User
from huoli.calls import numbers
from huoli.calls.errors import CallError
from huoli.calls.models import CallbackRequest, CallLine
from huoli.calls.selectors import CALLBACK_MIN_MINUTES_LEFT as MIN_MINUTES_LEFT
from huoli.calls.selectors import callback_slot_window
from huoli.calls.selectors import sip_user as sip_user_of
from huoli.contacts.services import contact_record_for_conversation
from huoli.conversations.models import Conversation
from huoli.conversations.selectors import conversation_for_token
from huoli.conversations.services.queue import conversation_end, conversation_requeue
from huoli.conversations.services.start import StartWork, VisitorAccess, conversation_start
from huoli.core.audit import audit_record
from huoli.core.events import QUEUE_GROUP, QueueChanged, publish_on_commit
from huoli.core.policy import may_ask_call_back, may_call_back

MAX_WINDOWS = 3
ASK_FOR_LENGTH = 40


Window = tuple[dt.datetime, dt.datetime]


def _windows_checked(slots: list[tuple[dt.date, int]], now) -> list[Window]:
    windows = []
    for day, hour in slots:
        window = callback_slot_window(day, hour, now=now)
        if window is None:
            raise CallError(
                "window_invalid",
                _("Choose times from the list: one of them is past or the line is closed then."),
            )
        windows.append(window)
    if not windows:
        raise CallError("window_missing", _("Choose at least one time that suits you."))
    if len(windows) > MAX_WINDOWS:
        raise CallError(
            "window_many", _("Choose at most %(count)s times.") % {"count": MAX_WINDOWS}
        )
    # Times one after the other stay apart: each is a try ("No answer" waits for the next
    # one); only overlapping ones (none on the two-hour grid) would be joined.
    merged: list[tuple[dt.datetime, dt.datetime]] = []
    for start, end in sorted(set(windows)):
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def callback_request(
    *,
    language: str,
    number: str,
    slots: list[tuple[dt.date, int]],
    interpreter_needed: bool = False,
    may_say_helpline: bool = False,
    ask_for: str = "",
    work: StartWork | None = None,
    by: User | None = None,
    during: int | None = None,
    now=None,
) -> VisitorAccess:
    """A family asks for a call back: ``slots`` are (day, starting hour) pairs the line
    offers (``calls.selectors.callback_slots``). Returns the return code and browser token
    of its conversation. Refused (``CallError``) for a number that cannot be one, a time
    that is past or outside the opening hours, or more than ``MAX_WINDOWS`` times; the line's
    start rules (the flood gate) are ``conversation_start``'s.

    ``by`` and ``during``: a counsellor asks for it on the family's behalf, in the
    conversation ``during`` they answer (``may_ask_call_back``: a chat, a message or a call
    of theirs); the counsellor then gives the family the return code."""
    now = now or timezone.now()
    if by is not None:
        source = Conversation.objects.filter(pk=during).first()
        if source is None or not may_ask_call_back(by, source):
            raise CallError(
                "not_allowed", _("Only the counsellor answering the conversation can do this.")
            )
    dialled = numbers.normalised(number)
    if dialled is None:
        raise CallError(
            "number_invalid",
            _("Check the phone number: for example 040 123 4567 or +358 40 123 4567."),
        )
    ask_for = " ".join((ask_for or "").split())
    if len(ask_for) > ASK_FOR_LENGTH:
        raise CallError(
            "ask_for_long",
            _("Write at most %(count)s characters.") % {"count": ASK_FOR_LENGTH},
        )
    windows = _windows_checked(slots, now)
    with transaction.atomic():
        access = conversation_start(
            kind=Conversation.Kind.CALLBACK,
            language=language,
            interpreter_needed=interpreter_needed,
            work=work,
            queued_from=windows[0][0],
            made_by_staff=by is not None,
        )
        CallbackRequest.objects.create(
            conversation=access.conversation,
            number=dialled,
            windows=[[start.isoformat(), end.isoformat()] for start, end in windows],
            may_say_helpline=may_say_helpline,
            ask_for=ask_for,
        )
        if by is not None:
            audit_record(
                actor=by,
                action="callback.requested_for_family",
                object_type="conversation",
                object_id=access.conversation.pk,
                data={"during": during},
            )
    return access


def _close(request: CallbackRequest, outcome: str, now) -> None:
    request.outcome = outcome
    request.number = None
    request.ask_for = None
    # The times that suited them go too: nothing about the family stays but the outcome.
    request.windows = []
    request.closed_at = now
    request.number_deleted_at = now
    request.save(
        update_fields=["outcome", "number", "ask_for", "windows", "closed_at", "number_deleted_at"]
    )


def _locked(conversation_id: int) -> tuple[Conversation, CallbackRequest]:
    conversation = Conversation.objects.select_for_update().filter(pk=conversation_id).first()
    if conversation is None or conversation.kind != Conversation.Kind.CALLBACK:
        raise CallError("not_callback", _("This is not a call-back request."))
    return conversation, CallbackRequest.objects.select_for_update().get(conversation=conversation)


@transaction.atomic
def callback_cancel(*, conversation_id: int, visitor_token: str) -> CallbackRequest:
    """The family cancels their request from the browser that holds it (started it or came
    back with its code). The number is deleted at once."""
    conversation, request = _locked(conversation_id)
    held = conversation_for_token(visitor_token)
    if held is None or held.pk != conversation.pk:
        raise CallError("not_allowed", _("Not allowed"))
    if request.outcome:
        return request
    _close(request, CallbackRequest.Outcome.CANCELLED, timezone.now())
    conversation_end(
        conversation=conversation,
        ended_by="visitor",
        visitor_token=visitor_token,
        callback_closed=True,
    )
    return request


@transaction.atomic
def callback_number_show(*, by: User, conversation_id: int) -> str:
    """The number, for the counsellor who took the request (``may_call_back``); every
    showing is in the audit log (without the number)."""
    conversation, request = _locked(conversation_id)
    if not may_call_back(by, conversation) or request.number is None:
        raise CallError("not_allowed", _("Only the counsellor who took it sees the number."))
    audit_record(
        actor=by,
        action="callback.number_shown",
        object_type="conversation",
        object_id=conversation.pk,
    )
    return request.number


DIAL_TOKEN_SALT = "huoli.calls.dial"  # noqa: S105 (a signing namespace, not a secret)
DIAL_TOKEN_SECONDS = 60


def callback_dial_token_issue(*, by: User, conversation_id: int) -> str:
    """A one-time permission, for a minute, for this counsellor's softphone to phone the
    family of the request they took (the console's "Call"; Kamailio passes it back in the
    INVITE and asks ``callback_dial``). The number is not in it: the softphone never has
    it."""
    with transaction.atomic():
        conversation, request = _locked(conversation_id)
        if not may_call_back(by, conversation) or request.number is None:
            raise CallError("not_allowed", _("Only the counsellor who took it calls the family."))
        if not CallLine.current().number:
            raise CallError(
                "no_line_number",
                _("The line's own number is not set (Telephone settings): nobody can be called."),
            )
    return signing.dumps(
        {"u": by.pk, "c": conversation_id, "n": secrets.token_urlsafe(12)}, salt=DIAL_TOKEN_SALT
    )


@dataclass(frozen=True)
class DialAnswer:
    """Kamailio's answer to a call out: ``dial`` the family's ``number`` showing the line's
    ``caller_id``, or ``reject`` with a SIP ``code``."""

    action: str
    number: str = ""
    caller_id: str = ""
    code: int = 0


def callback_dial(*, token: str, sip_user: str) -> DialAnswer:
    """Whether the softphone of ``sip_user`` may phone the family now, and where: the token
    must be fresh, unused, and the counsellor's, who must still hold the request."""
    try:
        data = signing.loads(token, salt=DIAL_TOKEN_SALT, max_age=DIAL_TOKEN_SECONDS)
    except signing.BadSignature:
        return DialAnswer("reject", code=403)
    user = User.objects.filter(pk=data.get("u"), is_active=True).first()
    if user is None or sip_user_of(user) != sip_user:
        return DialAnswer("reject", code=403)
    # One call per token: a copied token cannot dial again.
    if not cache.add(f"calls:dial-token:{data.get('n')}", 1, DIAL_TOKEN_SECONDS + 10):
        return DialAnswer("reject", code=403)
    caller_id = CallLine.current().number
    if not caller_id:
        return DialAnswer("reject", code=503)
    try:
        number = callback_number_for_dial(by=user, conversation_id=data.get("c"))
    except CallError:
        return DialAnswer("reject", code=403)
    return DialAnswer("dial", number=number, caller_id=caller_id)


@transaction.atomic
def callback_number_for_dial(*, by: User, conversation_id: int) -> str:
    """The number to dial, for the counsellor who holds the request (the first attempt's
    time is kept); audited like a showing."""
    conversation, request = _locked(conversation_id)
    if not may_call_back(by, conversation) or request.number is None:
        raise CallError("not_allowed", _("Only the counsellor who took it calls the family."))
    if request.first_attempt_at is None:
        request.first_attempt_at = timezone.now()
        request.save(update_fields=["first_attempt_at"])
    audit_record(
        actor=by, action="callback.dialled", object_type="conversation", object_id=conversation.pk
    )
    return request.number


OUTCOMES = ("reached", "no_answer", "wrong_number")


def _windows(request: CallbackRequest) -> list[tuple[dt.datetime, dt.datetime]]:
    return [
        (dt.datetime.fromisoformat(start), dt.datetime.fromisoformat(end))
        for start, end in request.windows
    ]


@transaction.atomic
def callback_outcome(*, by: User, conversation_id: int, outcome: str, now=None):
    """How the call went, said by the counsellor who took the request:

    - ``reached``: the request closes (the number is deleted) and the conversation gets its
      contact record draft, a phone call, like any answered call; the record is returned.
    - ``no_answer``: it waits again, from the start of its next window; with no window
      left it expires.
    - ``wrong_number``: it closes.
    """
    now = now or timezone.now()
    if outcome not in OUTCOMES:
        raise CallError("outcome_invalid", _("Choose how the call went."))
    conversation, request = _locked(conversation_id)
    if request.outcome:
        # The family cancelled it meanwhile, or it expired: said plainly, not as a refusal.
        raise CallError(
            "closed",
            _("This request is already closed: %(outcome)s.")
            % {"outcome": request.get_outcome_display()},
        )
    if not may_call_back(by, conversation):
        raise CallError("not_allowed", _("Only the counsellor who took it says how it went."))
    request.attempts += 1
    request.first_attempt_at = request.first_attempt_at or now
    request.save(update_fields=["attempts", "first_attempt_at"])
    if outcome == "no_answer":
        # The next try is in a time after the one this try was in (the one it was taken in),
        # while enough of it is left; it may have begun already.
        windows = _windows(request)
        taken = conversation.taken_at or now
        tried = max((i for i, (start, _end) in enumerate(windows) if start <= taken), default=-1)
        left = timedelta(minutes=MIN_MINUTES_LEFT)
        later = [(start, end) for start, end in windows[tried + 1 :] if end - left > now]
        if later:
            conversation_requeue(conversation_id=conversation.pk, queued_from=max(later[0][0], now))
            return None
        _close(request, CallbackRequest.Outcome.EXPIRED, now)
        conversation_end(
            conversation=conversation, ended_by="counsellor", by=by, callback_closed=True
        )
        return None
    if outcome == "wrong_number":
        _close(request, CallbackRequest.Outcome.WRONG_NUMBER, now)
        conversation_end(
            conversation=conversation, ended_by="counsellor", by=by, callback_closed=True
        )
        return None
    _close(request, CallbackRequest.Outcome.REACHED, now)
    record = contact_record_for_conversation(conversation=conversation, counsellor=by)
    conversation_end(conversation=conversation, ended_by="counsellor", by=by, callback_closed=True)
    return record


def callbacks_close_due(*, days: int, now=None) -> int:
    """Expire the requests whose last window has ended while they wait, and every request
    still open ``days`` after it was made (taken or not; the retention period
    ``RetentionPolicy.callback_request_days``): their numbers are deleted. Run by the purge
    and by the embedded default's schedule (``huoli.retention``)."""
    now = now or timezone.now()
    oldest = now - timedelta(days=days)
    closed = 0
    for request in CallbackRequest.objects.filter(outcome="").select_related("conversation"):
        conversation = request.conversation
        waiting_over = conversation.status == Conversation.Status.QUEUED and all(
            end <= now for _start, end in _windows(request)
        )
        # Ended some other way (a supervisor ended it, its code was blocked): nothing is
        # left to do with the number.
        ended = conversation.status == Conversation.Status.ENDED
        if not (waiting_over or ended or conversation.created_at <= oldest):
            continue
        with transaction.atomic():
            conversation, locked = _locked(conversation.pk)
            if locked.outcome:
                continue
            _close(locked, CallbackRequest.Outcome.EXPIRED, now)
            # The family's times are over: it ends on their side, like a caller who is gone.
            conversation_end(conversation=conversation, ended_by="visitor", callback_closed=True)
            closed += 1
    return closed


def callback_windows_announce(*, since, now=None) -> int:
    """Tell the consoles that call-back requests came into the queue: those whose window
    opened after ``since`` and by ``now`` (nothing else changes the queue at that moment).
    Returns how many."""
    now = now or timezone.now()
    count = Conversation.objects.filter(
        kind=Conversation.Kind.CALLBACK,
        status=Conversation.Status.QUEUED,
        queued_from__gt=since,
        queued_from__lte=now,
    ).count()
    if count:
        publish_on_commit(QUEUE_GROUP, QueueChanged(arrived="callback"))
    return count

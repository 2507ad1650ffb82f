"""Reads about calls: whom a call rings, the calls supervisors see, a call by its reference."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
from dataclasses import dataclass

from django.core.cache import cache
from django.utils import timezone

from huoli import keys
from huoli.accounts.models import CounsellorProfile
from huoli.calls.models import Call
from huoli.conversations.models import Conversation
from huoli.conversations.selectors import active_chats_count, on_a_call
from huoli.core.roles import Role
from huoli.helpline.selectors import HELSINKI, periods_between

SIP_USER_PREFIX = "staff-"
# The digest realm of desk phones' registrations: part of the credential kept for each
# (MD5 of user:realm:password), so changing it makes every desk phone password useless.
# Kamailio's local.cfg gets the same value (huoli.phone.stack).
DESK_PHONE_REALM = "huoli"


def _caller_key() -> bytes:
    # Read at each use (a few calls a minute): every worker follows a rotation at once.
    return keys.read_caller_key().encode()


def keyed_hash(value: str) -> str:
    """HMAC-SHA256 under the caller key (outside the database; decision 0035)."""
    return hmac.new(_caller_key(), value.encode(), hashlib.sha256).hexdigest()


def caller_number_normalised(number: str) -> str:
    """One spelling per number: digits only, international form for Finnish numbers
    ("040 123 4567", "+358401234567" and "00358401234567" are one number)."""
    digits = re.sub(r"\D", "", number or "")
    if digits.startswith("00"):
        digits = digits[2:]
    elif digits.startswith("0"):
        digits = "358" + digits[1:]
    return digits


def caller_hash(number: str) -> str:
    digits = caller_number_normalised(number)
    return keyed_hash("caller:" + digits) if digits else ""


def call_ref_hash(call_ref: str) -> str:
    """The SIP call id, hashed under the telephony secret (which is not rotated): a call in
    progress when the caller key is replaced is still found."""
    key = keys.read_telephony_secret().encode()
    return hmac.new(key, ("call:" + call_ref).encode(), hashlib.sha256).hexdigest()


REGISTERED_KEY = "calls:registered:{pk}"


def registered(pk: int) -> bool:
    """Whether a phone of this staff member is registered with the SIP server now (noted in
    the cache, shared by every worker, when Kamailio asks; ``services.registration_note``)."""
    return cache.get(REGISTERED_KEY.format(pk=pk)) is not None


def call_for_ref(call_ref: str) -> Call | None:
    return (
        Call.objects.select_related("conversation").filter(ref_hash=call_ref_hash(call_ref)).first()
    )


def caller_blocked(hashed: str) -> bool:
    """A number whose earlier call was flagged with its return code blocked (the block lasts
    while the caller key does: it is replaced with the retention period)."""
    return bool(hashed) and (
        Call.objects.filter(
            caller_hash=hashed, conversation__code_blocked_at__isnull=False
        ).exists()
    )


def sip_user(user) -> str:
    """The SIP user a staff member's console softphone registers as."""
    return f"{SIP_USER_PREFIX}{user.pk}"


def user_pk_from_sip_user(name: str) -> int | None:
    if not name.startswith(SIP_USER_PREFIX) or not name[len(SIP_USER_PREFIX) :].isdigit():
        return None
    return int(name[len(SIP_USER_PREFIX) :])


def desk_phone_ha1(sip_name: str) -> str:
    """The digest credential a desk phone registering as ``sip_name`` must match, while its
    counsellor is on duty and takes calls; "" when it may not register."""
    pk = user_pk_from_sip_user(sip_name)
    if pk is None:
        return ""
    profile = CounsellorProfile.objects.filter(
        user_id=pk,
        on_duty=True,
        takes_calls=True,
        user__is_active=True,
        user__role__in=[Role.COUNSELLOR, Role.SUPERVISOR],
    ).first()
    return profile.desk_phone_ha1 if profile is not None else ""


def call_takers_free() -> list[CounsellorProfile]:
    """Counsellors and supervisors on duty who take calls, whose phone is registered, who
    are not on a call and have room for one more chat or call."""
    profiles = CounsellorProfile.objects.filter(
        on_duty=True,
        takes_calls=True,
        user__is_active=True,
        user__role__in=[Role.COUNSELLOR, Role.SUPERVISOR],
    ).select_related("user")
    return [
        profile
        for profile in profiles
        if registered(profile.user_id)
        and not on_a_call(profile.user)
        and active_chats_count(profile.user) < profile.max_chats
    ]


def call_takers_reachable() -> bool:
    """Whether a call could ring anywhere now: someone on duty who takes calls has a phone
    registered (the web page offers "Call us" only then)."""
    return any(
        registered(pk)
        for pk in CounsellorProfile.objects.filter(
            on_duty=True, takes_calls=True, user__is_active=True
        ).values_list("user_id", flat=True)
    )


def ring_targets(conversation: Conversation) -> tuple[list[CounsellorProfile], bool]:
    """Whom a waiting call rings now, and whether it needs an interpreter: the free call
    takers who speak its language; when none of them does, every free call taker (the call
    is then marked as needing an interpreter, as a chat in that language would be)."""
    free = call_takers_free()
    call = Call.objects.filter(conversation=conversation).first()
    declined = set(call.declined_users or []) if call else set()
    # Those who declined it are rung again only when nobody else is free.
    free = [p for p in free if p.user_id not in declined] or free
    speakers = [p for p in free if conversation.language in (p.languages or [])]
    if speakers:
        return speakers, False
    return free, bool(free)


def web_calls_waiting() -> int:
    return Call.objects.filter(
        source=Call.Source.WEB, conversation__status=Conversation.Status.QUEUED
    ).count()


def calls_now():
    """Calls waiting or in progress, oldest first (the supervisors' live view)."""
    return (
        Call.objects.select_related("conversation", "conversation__counsellor")
        .filter(conversation__status__in=[Conversation.Status.QUEUED, Conversation.Status.ACTIVE])
        .order_by("offered_at")
    )


# Call-back windows: the family chooses days and two-hour times the line is open.
CALLBACK_DAYS_AHEAD = 7
CALLBACK_WINDOW_HOURS = 2
# A window that ends sooner than this from now is too late to choose.
CALLBACK_MIN_MINUTES_LEFT = 30


def callback_slot_window(day: dt.date, hour: int, *, now=None, periods=None):
    """The window (start, end) of the two-hour time ``hour`` on ``day`` (the line's time),
    cut to the line's opening hours (``periods``: those of the days around it, read once by
    the caller when it asks for many) and to now; None when it is not offered (past, too far
    ahead, closed, or too short)."""
    now = now or timezone.now()
    today = now.astimezone(HELSINKI).date()
    if not (today <= day <= today + dt.timedelta(days=CALLBACK_DAYS_AHEAD)):
        return None
    if hour not in range(0, 24, CALLBACK_WINDOW_HOURS):
        return None
    start = dt.datetime.combine(day, dt.time(hour), tzinfo=HELSINKI)
    end = start + dt.timedelta(hours=CALLBACK_WINDOW_HOURS)
    best = None
    if periods is None:
        periods = periods_between(day - dt.timedelta(days=1), day)
    for period in periods:
        cut = (max(start, period.start, now), min(end, period.end))
        if cut[1] - cut[0] >= dt.timedelta(minutes=CALLBACK_MIN_MINUTES_LEFT) and (
            best is None or cut[1] - cut[0] > best[1] - best[0]
        ):
            best = cut
    if best is None:
        return None
    return (best[0].astimezone(dt.UTC), best[1].astimezone(dt.UTC))


@dataclass(frozen=True)
class CallbackDay:
    day: dt.date
    hours: list[int]  # the starting hours of the times offered that day


def callback_slots(*, now=None) -> list[CallbackDay]:
    """The days and times a family may choose for a call back: the next
    ``CALLBACK_DAYS_AHEAD`` days' two-hour times that overlap the opening hours."""
    now = now or timezone.now()
    today = now.astimezone(HELSINKI).date()
    periods = periods_between(
        today - dt.timedelta(days=1), today + dt.timedelta(days=CALLBACK_DAYS_AHEAD)
    )
    days = []
    for offset in range(CALLBACK_DAYS_AHEAD + 1):
        day = today + dt.timedelta(days=offset)
        hours = [
            hour
            for hour in range(0, 24, CALLBACK_WINDOW_HOURS)
            if callback_slot_window(day, hour, now=now, periods=periods) is not None
        ]
        if hours:
            days.append(CallbackDay(day=day, hours=hours))
    return days

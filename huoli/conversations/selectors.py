"""Reads about conversations, scoped by the policy; every staff read is audited."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import NamedTuple

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Exists, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from huoli.accounts.models import CounsellorProfile
from huoli.cases.services import normalise_case_number
from huoli.contacts.models import ContactRecord
from huoli.conversations import return_codes
from huoli.conversations.models import (
    CannedResponse,
    CannedText,
    Conversation,
    Message,
    StaffNote,
)
from huoli.core.audit import audit_record
from huoli.core.policy import (
    conversations_scope,
    get_or_404,
    instances_user_has_permission_for,
    records_scope,
)
from huoli.helpline.models import WaitingLimit
from huoli.helpline.selectors import LineStatus, line_status

# The visitor's estimate per chat ahead while too few chats were answered to measure it.
MINUTES_PER_CHAT_AHEAD = 8
# The answer times measured: chats taken in these last days, at least this many of them.
ANSWER_TIMES_DAYS = 28
ANSWER_TIMES_MIN_SAMPLES = 20
# The measured figure is worked out at most once in this many seconds (every queue change
# asks for it).
ANSWER_TIMES_CACHE_SECONDS = 300
ANSWER_TIMES_CACHE_KEY = "queue:minutes-per-chat-ahead"


def access_conversation(user, conversation_id: int, *, purpose: str = "read") -> Conversation:
    """The conversation if the user may open it (else 404); the look goes to the audit log."""
    conversation = get_or_404(
        conversations_scope(user, Conversation.objects.select_related("counsellor")),
        pk=conversation_id,
    )
    audit_record(
        actor=user,
        action=f"conversation.{purpose}",
        object_type="conversation",
        object_id=conversation.pk,
    )
    return conversation


def _day_starts(day: date) -> datetime:
    """Midnight of ``day`` in the line's time zone (``settings.TIME_ZONE``)."""
    return datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())


def conversations_list_for(
    user,
    *,
    started_from: date | None = None,
    started_to: date | None = None,
    status: str = "",
    kind: str = "",
    language: str = "",
    counsellor: int | None = None,
    case_number: str = "",
    flagged: bool | None = None,
) -> QuerySet[Conversation]:
    """Past, waiting and active conversations the user may open (``conversations_scope``),
    newest first, with what a list shows: the counsellor, ``message_count`` and
    ``case_records`` (the contact records in the user's ``records_scope`` that put it in a
    case). Only metadata: listing is not a read, opening one is (``access_conversation``,
    audited). Message texts are encrypted and never searched. Every filter narrows the
    scoped set, so a counsellor who filters by a colleague finds nothing of theirs.
    Two queries for the rows of a page, whatever its length (and the count)."""
    conversations = conversations_scope(user, Conversation.objects.all())
    if started_from:
        conversations = conversations.filter(created_at__gte=_day_starts(started_from))
    if started_to:
        conversations = conversations.filter(
            created_at__lt=_day_starts(started_to + timedelta(days=1))
        )
    if status:
        conversations = conversations.filter(status=status)
    if kind:
        conversations = conversations.filter(kind=kind)
    if language:
        conversations = conversations.filter(language=language)
    if counsellor:
        conversations = conversations.filter(counsellor_id=counsellor)
    case_records = records_scope(user, ContactRecord.objects.filter(case__isnull=False))
    if case_number:
        conversations = conversations.filter(
            Exists(
                case_records.filter(
                    conversation=OuterRef("pk"), case__number=normalise_case_number(case_number)
                )
            )
        )
    if flagged is not None:
        conversations = (
            conversations.exclude(flag_reason="")
            if flagged
            else conversations.filter(flag_reason="")
        )
    message_count = (
        Message.objects.filter(conversation=OuterRef("pk"))
        .order_by()
        .values("conversation")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return (
        conversations.select_related("counsellor__counsellor_profile")
        .annotate(message_count=Coalesce(Subquery(message_count, output_field=IntegerField()), 0))
        .prefetch_related(
            Prefetch(
                "contact_records",
                queryset=case_records.select_related("case").order_by("started_at"),
                to_attr="case_records",
            )
        )
        .order_by("-created_at", "-pk")
    )


def messages_after(conversation: Conversation, seq: int) -> QuerySet[Message]:
    return conversation.messages.filter(seq__gt=seq).order_by("seq")


# The most messages a conversation page shows at once, the visitor's and the console's: the
# latest, with a link to the ones before. A visitor can write thousands of messages into
# their own chat, and every page load would otherwise decrypt them all (the sockets' answers
# are bounded the same way, ``messages.MESSAGES_PER_ANSWER``).
MESSAGES_PER_PAGE = 100


class MessagesPage(NamedTuple):
    """A page of a conversation's messages, oldest first, and the seq to show earlier ones
    before (the first of these), or None when there are none."""

    messages: list[Message]
    earlier: int | None


def messages_before(conversation_id: int, seq: int | None = None) -> MessagesPage:
    """The conversation's last ``MESSAGES_PER_PAGE`` messages before ``seq`` (the last of
    all without it). By the conversation's key: a caller that has not loaded the
    conversation need not (its encrypted fields are decrypted as they load)."""
    query = Message.objects.filter(conversation_id=conversation_id).order_by("-seq")
    if seq is not None:
        query = query.filter(seq__lt=seq)
    latest = list(query[: MESSAGES_PER_PAGE + 1])
    shown = latest[:MESSAGES_PER_PAGE][::-1]
    return MessagesPage(shown, shown[0].seq if len(latest) > MESSAGES_PER_PAGE else None)


def before_param(value: str | None) -> int | None:
    """The seq a conversation page's ``?before=`` names (a positive whole number), else None:
    the page shows the latest messages."""
    if value and value.isascii() and value.isdigit() and len(value) <= 18:
        return int(value) or None
    return None


def staff_notes_after(conversation: Conversation, note_id: int = 0) -> QuerySet[StaffNote]:
    """The conversation's private staff notes, oldest first (after ``note_id``). Only for a
    conversation fetched with ``access_conversation``: that read is the audited one."""
    return conversation.staff_notes.filter(pk__gt=note_id).order_by("pk")


def queue_for(user) -> QuerySet[Conversation]:
    """Waiting chats, calls, unanswered messages and call-back requests whose time has come
    (``queued_from``), oldest first; a call-back counts from the start of its window."""
    now = timezone.now()
    return instances_user_has_permission_for(
        user,
        "counselling.work",
        Conversation.objects.filter(status=Conversation.Status.QUEUED)
        .filter(Q(queued_from__isnull=True) | Q(queued_from__lte=now))
        .annotate(in_queue_since=Coalesce("queued_from", "created_at"))
        .order_by("in_queue_since", "pk"),
    )


def speakers_on_duty(language: str, *, with_room: bool = False) -> list[CounsellorProfile]:
    """Counsellors on duty who speak ``language`` (with ``with_room``: and can take one more
    chat). Few are on duty at once, so the languages are checked here rather than in SQL
    (SQLite cannot look inside a JSON list)."""
    profiles = [
        profile
        for profile in CounsellorProfile.objects.filter(on_duty=True, user__is_active=True)
        if language in (profile.languages or [])
    ]
    if not with_room:
        return profiles
    open_chats = dict(
        Conversation.objects.filter(
            counsellor__in=[p.user_id for p in profiles],
            kind__in=Conversation.LIVE_KINDS,
            status=Conversation.Status.ACTIVE,
        )
        .values_list("counsellor")
        .annotate(count=Count("pk"))
    )
    return [p for p in profiles if open_chats.get(p.user_id, 0) < p.max_chats]


def anyone_speaks(language: str) -> bool:
    """Whether any active counsellor (on duty or not) lists ``language``."""
    return any(
        language in (languages or [])
        for languages in CounsellorProfile.objects.filter(user__is_active=True).values_list(
            "languages", flat=True
        )
    )


def held_for_speaker_until(
    conversation: Conversation, spoken: set[str], *, now=None, free_speakers=None
) -> datetime | None:
    """Until when a chat is offered only to counsellors who speak its language, for someone
    who speaks ``spoken``: ``HUOLI_LANGUAGE_HOLD_SECONDS`` after it started, while a
    counsellor on duty who speaks it has room (``free_speakers`` caches that per language).
    ``None`` when it is not held for them."""
    if conversation.kind != Conversation.Kind.CHAT or conversation.language in spoken:
        return None
    until = conversation.created_at + timedelta(seconds=settings.HUOLI_LANGUAGE_HOLD_SECONDS)
    if until <= (now or timezone.now()):
        return None
    free_speakers = {} if free_speakers is None else free_speakers
    if conversation.language not in free_speakers:
        free_speakers[conversation.language] = bool(
            speakers_on_duty(conversation.language, with_room=True)
        )
    return until if free_speakers[conversation.language] else None


def clock(seconds: int) -> str:
    """A waiting time or a call's length as minutes and seconds ("12:05")."""
    return f"{seconds // 60}:{seconds % 60:02d}"


@dataclass(frozen=True)
class QueueRow:
    conversation: Conversation
    speaks: bool  # the counsellor looking speaks the visitor's language
    held_until: datetime | None  # offered first to a colleague who speaks it, until then
    # Place among the waiting chats, or among the waiting calls (oldest first); None for
    # written messages, which are answered in their own time.
    position: int | None = None
    waited_seconds: int = 0

    @property
    def waited(self) -> str:
        return clock(self.waited_seconds)

    @property
    def held_seconds(self) -> int:
        if self.held_until is None:
            return 0
        return max(0, int((self.held_until - timezone.now()).total_seconds()) + 1)


def queue_offered_to(user, *, now=None) -> list[QueueRow]:
    """The queue as this counsellor sees it: conversations in a language they speak first;
    a chat in a language a free colleague on duty speaks is theirs first for
    ``HUOLI_LANGUAGE_HOLD_SECONDS``."""
    now = now or timezone.now()
    profile = CounsellorProfile.objects.filter(user=user).first()
    spoken = set(profile.languages or []) if profile else set()
    free_speakers: dict[str, bool] = {}
    waiting = list(queue_for(user))
    places: dict[int, int] = {}
    seen: dict[str, int] = {}
    for conversation in waiting:
        if conversation.kind in Conversation.LIVE_KINDS:
            seen[conversation.kind] = seen.get(conversation.kind, 0) + 1
            places[conversation.pk] = seen[conversation.kind]
    rows = [
        QueueRow(
            conversation=conversation,
            speaks=conversation.language in spoken,
            held_until=held_for_speaker_until(
                conversation, spoken, now=now, free_speakers=free_speakers
            ),
            position=places.get(conversation.pk),
            waited_seconds=max(0, int((now - conversation.in_queue_since).total_seconds())),
        )
        for conversation in waiting
    ]
    rows.sort(key=lambda row: (not row.speaks, row.conversation.created_at))
    return rows


def my_conversations(user) -> QuerySet[Conversation]:
    return Conversation.objects.filter(counsellor=user, status=Conversation.Status.ACTIVE).order_by(
        "-awaiting_reply", "created_at"
    )


def live_chats_for(user) -> QuerySet[Conversation]:
    return instances_user_has_permission_for(
        user,
        "counselling.supervise",
        Conversation.objects.filter(status=Conversation.Status.ACTIVE)
        .select_related("counsellor", "counsellor__counsellor_profile")
        .order_by("created_at"),
    )


@dataclass(frozen=True)
class LiveRow:
    conversation: Conversation
    seconds: int  # since it was taken (a call: since it was answered)

    @property
    def duration(self) -> str:
        return clock(self.seconds)


def live_rows_for(user, *, now=None) -> list[LiveRow]:
    """The live conversations a supervisor sees, each with how long it has lasted."""
    now = now or timezone.now()
    return [
        LiveRow(
            conversation=conversation,
            seconds=max(
                0, int((now - (conversation.taken_at or conversation.created_at)).total_seconds())
            ),
        )
        for conversation in live_chats_for(user)
    ]


def duty_list_for(user) -> QuerySet[CounsellorProfile]:
    """Counsellors on duty, each with ``on_call``: talking on a call now (``takes_calls``
    says whether calls ring for them)."""
    return instances_user_has_permission_for(
        user,
        "counselling.supervise",
        CounsellorProfile.objects.filter(on_duty=True)
        .annotate(
            on_call=Exists(
                Conversation.objects.filter(
                    counsellor=OuterRef("user"),
                    kind=Conversation.Kind.CALL,
                    status=Conversation.Status.ACTIVE,
                )
            )
        )
        .order_by("display_name"),
    )


def counsellors_on_duty() -> int:
    return CounsellorProfile.objects.filter(on_duty=True, user__is_active=True).count()


@dataclass(frozen=True)
class ChatAvailability:
    line: LineStatus
    on_duty: int  # active counsellors on duty

    takes_calls: int = 0  # of them, those who take calls

    @property
    def calls_open(self) -> bool:
        """The rule for a new call (telephone or web): the line is open and someone on duty
        takes calls."""
        return self.line.open_now and self.takes_calls > 0

    @property
    def chats_open(self) -> bool:
        """The rule for a new chat: the line is open and someone is on duty
        (``services.start.conversation_start`` enforces it; messages may be left any time)."""
        return self.line.open_now and self.on_duty > 0


def chat_availability() -> ChatAvailability:
    return ChatAvailability(
        line=line_status(),
        on_duty=counsellors_on_duty(),
        takes_calls=CounsellorProfile.objects.filter(
            on_duty=True, takes_calls=True, user__is_active=True
        ).count(),
    )


def queued_chats_count() -> int:
    return Conversation.objects.filter(
        kind=Conversation.Kind.CHAT, status=Conversation.Status.QUEUED
    ).count()


def queued_calls_count() -> int:
    return Conversation.objects.filter(
        kind=Conversation.Kind.CALL, status=Conversation.Status.QUEUED
    ).count()


def active_chats_count(user) -> int:
    """The chats and calls ``user`` answers now (their limit together is
    ``CounsellorProfile.max_chats``)."""
    return Conversation.objects.filter(
        counsellor=user, kind__in=Conversation.LIVE_KINDS, status=Conversation.Status.ACTIVE
    ).count()


def on_a_call(user) -> bool:
    """Whether ``user`` is talking on a call now (one call at a time)."""
    return Conversation.objects.filter(
        counsellor=user, kind=Conversation.Kind.CALL, status=Conversation.Status.ACTIVE
    ).exists()


def answer_seconds_measured(*, now=None) -> list[int]:
    """How long each chat taken in the last ``ANSWER_TIMES_DAYS`` waited for its counsellor:
    from its times, or after the purge (which cuts them to the day) from the wait it kept."""
    now = now or timezone.now()
    since = now - timedelta(days=ANSWER_TIMES_DAYS)
    seconds = []
    for created, taken, purged, kept in Conversation.objects.filter(
        kind=Conversation.Kind.CHAT, taken_at__gte=since
    ).values_list("created_at", "taken_at", "content_purged_at", "wait_seconds"):
        if purged is not None:
            if kept is not None:
                seconds.append(kept)
        else:
            seconds.append(max(0, int((taken - created).total_seconds())))
    return seconds


def minutes_per_chat_ahead() -> int:
    """The visitor's estimate per chat ahead of them: the median answer time measured in the
    last weeks (``MINUTES_PER_CHAT_AHEAD`` while fewer than ``ANSWER_TIMES_MIN_SAMPLES``
    chats were taken), in whole minutes, at least one; kept in the cache for a few minutes."""
    minutes = cache.get(ANSWER_TIMES_CACHE_KEY)
    if minutes is not None:
        return minutes
    seconds = sorted(answer_seconds_measured())
    if len(seconds) < ANSWER_TIMES_MIN_SAMPLES:
        minutes = MINUTES_PER_CHAT_AHEAD
    else:
        middle = len(seconds) // 2
        median = (
            seconds[middle] if len(seconds) % 2 else (seconds[middle - 1] + seconds[middle]) / 2
        )
        minutes = max(1, -(-int(median) // 60))
    cache.set(ANSWER_TIMES_CACHE_KEY, minutes, ANSWER_TIMES_CACHE_SECONDS)
    return minutes


def queue_positions() -> list[tuple[int, int, int]]:
    """(conversation id, position, estimated minutes) for every waiting chat, oldest first:
    the chats ahead and this one, each the measured answer time, shared by the counsellors
    on duty."""
    on_duty = max(1, CounsellorProfile.objects.filter(on_duty=True).count())
    per_chat = minutes_per_chat_ahead()
    waiting = Conversation.objects.filter(
        kind=Conversation.Kind.CHAT, status=Conversation.Status.QUEUED
    ).order_by("created_at", "pk")
    return [
        (pk, position, -(-position * per_chat // on_duty))
        for position, pk in enumerate(waiting.values_list("pk", flat=True), start=1)
    ]


def chat_offer_due(conversation: Conversation, *, now=None) -> int | None:
    """For a waiting chat: in how many seconds (0: now) its visitor is offered to turn it
    into a message, the waiting limit after it started (``WaitingLimit``); at once while
    the chat is closed (the line closed, nobody on duty). None for anything else."""
    if not (
        conversation.kind == Conversation.Kind.CHAT
        and conversation.status == Conversation.Status.QUEUED
    ):
        return None
    if not chat_availability().chats_open:
        return 0
    now = now or timezone.now()
    due = conversation.created_at + timedelta(seconds=WaitingLimit.current().chat_seconds)
    return max(0, math.ceil((due - now).total_seconds()))


def conversation_for_token(token: str | None) -> Conversation | None:
    """The conversation a visitor's browser token opens, if any."""
    if not token:
        return None
    return Conversation.objects.filter(visitor_token_hash=return_codes.token_hash(token)).first()


def visitor_token_current(*, conversation_id: int, token_hash: str) -> bool:
    """Whether a browser token (its hash) still opens the conversation: it does not after a
    return with the code elsewhere or a blocked code."""
    return visitor_last_seq(conversation_id=conversation_id, token_hash=token_hash) is not None


def visitor_last_seq(*, conversation_id: int, token_hash: str) -> int | None:
    """The conversation's highest message ``seq`` if the browser token (its hash) still opens
    it, else None: the visitor socket's periodic look tells its page of a last message whose
    event was lost (decision 0008)."""
    return (
        Conversation.objects.filter(pk=conversation_id, visitor_token_hash=token_hash)
        .values_list("last_seq", flat=True)
        .first()
    )


@dataclass(frozen=True)
class CannedChoice:
    """A canned response as the counsellor is offered it in one conversation."""

    response: CannedResponse
    texts: list[CannedText]  # the visitor's language first when it has one
    in_language: bool  # it has a text in the visitor's language


def canned_responses_for(language: str) -> list[CannedChoice]:
    """The canned responses in use, each with its texts, the one in ``language`` first
    (two queries, whatever their number)."""
    choices = []
    for response in CannedResponse.objects.filter(active=True).prefetch_related("texts"):
        texts = response.texts_for(language)
        if texts:
            choices.append(
                CannedChoice(
                    response=response,
                    texts=texts,
                    in_language=texts[0].language == language,
                )
            )
    return choices

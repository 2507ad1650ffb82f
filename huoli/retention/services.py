"""The retention periods applied: ``purge`` deletes what is due, in batches, each batch in its
own transaction, so it is safe to interrupt and to run again. It keeps the structured fields
that statistics need (a purged conversation's days and coarse durations, not its exact times;
contact record lists) and writes what it did to the audit log. On SQLite, ``secure_delete``
overwrites the deleted text in the file and a checkpoint moves it out of the write-ahead log."""

from __future__ import annotations

import secrets
from datetime import datetime, time, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from huoli import keys
from huoli.calls.models import Call, CallbackRequest
from huoli.calls.services.callbacks import callback_windows_announce, callbacks_close_due
from huoli.cases.models import Case, CaseNote, FollowUp
from huoli.contacts.models import ContactRecord
from huoli.conversations.models import Conversation, DutyPeriod, Feedback, Message, StaffNote
from huoli.core.audit import audit_prune, audit_record
from huoli.escalations.models import Escalation
from huoli.retention.models import RetentionPolicy
from huoli.supervision.models import DebriefRequest, HandoverNote, Review

BATCH = 500
PURGED_CODE_PREFIX = "purged:"
# A purged conversation keeps these only to the day: to the microsecond they could be matched
# with a network log or a phone bill; statistics keep coarse durations instead (decision 0013).
TIMES = (
    "created_at",
    "taken_at",
    "ended_at",
    "last_message_at",
    "flagged_at",
    "code_blocked_at",
    "queued_from",
)
RECORD_TIMES = ("started_at", "ended_at", "created_at", "updated_at", "completed_at")
CALL_TIMES = ("offered_at", "rang_at", "answered_at", "ended_at")
CALLBACK_TIMES = ("first_attempt_at", "closed_at", "number_deleted_at")
FIRST_ATTEMPT_STEP_MINUTES = 10
DURATION_STEP = 10


def _day_of(moment: datetime | None) -> datetime | None:
    """Local (Europe/Helsinki) midnight of the moment's day."""
    if moment is None:
        return None
    return timezone.make_aware(datetime.combine(timezone.localdate(moment), time()))


def _coarse_seconds(start: datetime | None, end: datetime | None) -> int | None:
    if start is None or end is None:
        return None
    seconds = max(0.0, (end - start).total_seconds())
    return DURATION_STEP * round(seconds / DURATION_STEP)


def _in_batches(queryset, apply) -> int:
    """Apply to the primary keys of ``queryset`` BATCH at a time; returns how many."""
    done = 0
    while True:
        with transaction.atomic():
            keys = list(queryset.values_list("pk", flat=True)[:BATCH])
            if not keys:
                return done
            apply(keys)
            done += len(keys)


def _idle_before(cutoff):
    return Conversation.objects.annotate(activity=Coalesce("last_message_at", "created_at")).filter(
        activity__lt=cutoff
    )


def callbacks_due_closed(*, now=None, opened_since=None) -> int:
    """Close the call-back requests that are due under the retention period for them
    (``calls.services.callbacks.callbacks_close_due``; the purge does it too), and with
    ``opened_since`` tell the consoles about the windows that opened since then."""
    now = now or timezone.now()
    if opened_since is not None:
        callback_windows_announce(since=opened_since, now=now)
    return callbacks_close_due(days=RetentionPolicy.current().callback_request_days, now=now)


def purge(*, now=None) -> dict[str, int]:
    """Delete what the retention periods say is due; returns counts by kind."""
    now = now or timezone.now()
    policy = RetentionPolicy.current()
    counts: dict[str, int] = {}

    def conversations(keys):
        Message.objects.filter(conversation_id__in=keys).delete()
        # The staff's private notes are content of the conversation: they go with its messages.
        StaffNote.objects.filter(conversation_id__in=keys).delete()
        Conversation.objects.filter(pk__in=keys).update(nickname="", flag_note="")
        # A call-back's times to the day (before its conversation's, which they are measured
        # from), keeping how long the family waited for the first attempt, to ten minutes.
        callbacks = CallbackRequest.objects.filter(conversation_id__in=keys)
        for pk, created, *times in callbacks.values_list(
            "pk", "conversation__created_at", *CALLBACK_TIMES
        ):
            when = dict(zip(CALLBACK_TIMES, times, strict=True))
            minutes = None
            if when["first_attempt_at"] is not None:
                waited = max(0.0, (when["first_attempt_at"] - created).total_seconds()) / 60
                step = FIRST_ATTEMPT_STEP_MINUTES
                minutes = step * round(waited / step)
            CallbackRequest.objects.filter(pk=pk).update(
                first_attempt_minutes=minutes,
                windows=[],
                **{name: _day_of(value) for name, value in when.items()},
            )
        for pk, *times in Conversation.objects.filter(pk__in=keys).values_list("pk", *TIMES):
            when = dict(zip(TIMES, times, strict=True))
            Conversation.objects.filter(pk=pk).update(
                wait_seconds=_coarse_seconds(when["created_at"], when["taken_at"]),
                length_seconds=_coarse_seconds(when["taken_at"], when["ended_at"]),
                content_purged_at=_day_of(now),
                **{name: _day_of(value) for name, value in when.items()},
            )
        # Its contact records would give the moment back: their times go to the day too,
        # keeping the length of the contact (rounded like the chat's).
        records = ContactRecord.objects.filter(conversation_id__in=keys)
        for pk, *times in records.values_list("pk", *RECORD_TIMES):
            when = dict(zip(RECORD_TIMES, times, strict=True))
            day = _day_of(when["started_at"])
            length = _coarse_seconds(when["started_at"], when["ended_at"])
            coarse = {name: _day_of(value) for name, value in when.items()}
            coarse["ended_at"] = None if length is None else day + timedelta(seconds=length)
            ContactRecord.objects.filter(pk=pk).update(**coarse)
        # A call's times likewise, keeping its wait (until the answer, or until the caller
        # was gone) and its talk, rounded like the chat's.
        calls = Call.objects.filter(conversation_id__in=keys)
        for pk, *times in calls.values_list("pk", *CALL_TIMES):
            when = dict(zip(CALL_TIMES, times, strict=True))
            Call.objects.filter(pk=pk).update(
                wait_seconds=_coarse_seconds(
                    when["offered_at"], when["answered_at"] or when["ended_at"]
                ),
                talk_seconds=_coarse_seconds(when["answered_at"], when["ended_at"]),
                **{name: _day_of(value) for name, value in when.items()},
            )

    counts["conversations"] = _in_batches(
        _idle_before(now - timedelta(days=policy.message_days)).filter(
            content_purged_at__isnull=True
        ),
        conversations,
    )

    def codes(keys):
        for key in keys:
            Conversation.objects.filter(pk=key).update(
                return_code_hash=PURGED_CODE_PREFIX + secrets.token_hex(24),
                visitor_token_hash=None,
            )

    counts["return_codes"] = _in_batches(
        _idle_before(now - timedelta(days=policy.return_code_days)).exclude(
            return_code_hash__startswith=PURGED_CODE_PREFIX
        ),
        codes,
    )

    notes_cutoff = now - timedelta(days=policy.notes_days)
    counts["record_texts"] = _in_batches(
        ContactRecord.objects.filter(
            Q(case__isnull=True, started_at__lt=notes_cutoff)
            | Q(case__status=Case.Status.CLOSED, case__closed_at__lt=notes_cutoff),
            text_purged_at__isnull=True,
        ),
        lambda keys: ContactRecord.objects.filter(pk__in=keys).update(
            summary="", notes="", heard_from_detail="", text_purged_at=now
        ),
    )

    def cases(keys):
        CaseNote.objects.filter(case_id__in=keys).delete()
        FollowUp.objects.filter(case_id__in=keys).update(what="")
        Case.objects.filter(pk__in=keys).update(title="", text_purged_at=now)

    counts["case_texts"] = _in_batches(
        Case.objects.filter(
            status=Case.Status.CLOSED, closed_at__lt=notes_cutoff, text_purged_at__isnull=True
        ),
        cases,
    )
    counts["escalations"] = _in_batches(
        Escalation.objects.filter(
            decided_at__lt=now - timedelta(days=policy.escalation_days), text_purged_at__isnull=True
        ),
        lambda keys: Escalation.objects.filter(pk__in=keys).update(
            assessment="", reason="", text_purged_at=now
        ),
    )
    counts["callback_numbers"] = _in_batches(
        Escalation.objects.filter(
            decided_at__lt=now - timedelta(days=policy.callback_days),
            callback_purged_at__isnull=True,
        ),
        lambda keys: Escalation.objects.filter(pk__in=keys).update(
            callback_number="", callback_purged_at=now
        ),
    )
    # Call-back requests whose times are over, or older than their period: closed, and
    # their numbers deleted (also every few minutes: ``manage.py purge --call-backs``).
    counts["callback_requests"] = callbacks_close_due(days=policy.callback_request_days, now=now)
    # A shift's times would narrow down when a contact happened: they go with the messages'
    # period after the shift ended.
    counts["shifts"] = _in_batches(
        DutyPeriod.objects.filter(ended_at__lt=now - timedelta(days=policy.message_days)),
        lambda keys: DutyPeriod.objects.filter(pk__in=keys).delete(),
    )
    counts["feedback"] = _in_batches(
        Feedback.objects.filter(day__lt=(now - timedelta(days=policy.feedback_days)).date()),
        lambda keys: Feedback.objects.filter(pk__in=keys).delete(),
    )
    # Handover notes (and who read them) after their days; debrief requests after theirs,
    # counted from when they were done, or asked for if nobody marked them done.
    counts["handover_notes"] = _in_batches(
        HandoverNote.objects.filter(created_at__lt=now - timedelta(days=policy.handover_days)),
        lambda keys: HandoverNote.objects.filter(pk__in=keys).delete(),
    )
    counts["debrief_requests"] = _in_batches(
        DebriefRequest.objects.annotate(since=Coalesce("done_at", "created_at")).filter(
            since__lt=now - timedelta(days=policy.debrief_days)
        ),
        lambda keys: DebriefRequest.objects.filter(pk__in=keys).delete(),
    )
    # Quality reviews with their ratings and feedback, counted from when the review began.
    counts["reviews"] = _in_batches(
        Review.objects.filter(created_at__lt=now - timedelta(days=policy.review_days)),
        lambda keys: Review.objects.filter(pk__in=keys).delete(),
    )
    # A caller's hashed number goes with the messages' period (the key goes below too).
    counts["caller_hashes"] = (
        Call.objects.filter(offered_at__lt=now - timedelta(days=policy.message_days))
        .exclude(caller_hash="")
        .update(caller_hash="")
    )
    # The key of callers' hashed numbers lasts as long as the conversations do (decision 0035).
    if settings.HUOLI_CALLER_KEY_ROTATION:
        counts["caller_key_replaced"] = int(
            keys.caller_key_rotate_if_older(policy.message_days, now=now.timestamp())
        )
    # Last, so this run's own entry is never among those deleted.
    counts["audit_entries"] = audit_prune(before=now - timedelta(days=policy.audit_days))
    if any(counts.values()):
        audit_record(actor=None, action="retention.purged", object_type="retention", data=counts)
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return counts

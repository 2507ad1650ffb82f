"""Retention: after the periods pass, ``purge`` deletes the content, keeps what statistics
need, can run again, and the deleted text is gone from the database file."""

from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.utils import timezone, translation

from huoli.accounts.tests.factories import StaffFactory
from huoli.calls.models import Call
from huoli.calls.tests.factories import call_at, call_taker_on_duty
from huoli.cases.services import case_update
from huoli.contacts.models import ContactRecord
from huoli.contacts.services import case_create_for_record
from huoli.contacts.tests.factories import PhoneCallFactory
from huoli.conversations.errors import ConversationError
from huoli.conversations.models import Conversation, Feedback, Message, StaffNote
from huoli.conversations.services.messages import message_post
from huoli.conversations.services.queue import conversation_end, conversation_take, duty_set
from huoli.conversations.services.staff_notes import staff_note_add
from huoli.conversations.services.start import conversation_resume
from huoli.conversations.tests.factories import chat_start, feedback_given
from huoli.core.models import AuditEntry
from huoli.core.roles import Role
from huoli.reports.selectors import report_for
from huoli.retention.models import RetentionPolicy
from huoli.retention.services import purge
from huoli.tests.dbfile import sqlite_file_bytes

pytestmark = pytest.mark.django_db(transaction=True)


def raw_body(message_id: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT body FROM conversations_message WHERE id = %s", [message_id])
        return cursor.fetchone()[0]


def test_purge_takes_the_content_keeps_the_statistics_and_can_run_again():
    counsellor = StaffFactory(role=Role.COUNSELLOR)
    access = chat_start(language="fi", nickname="Äiti")
    duty_set(user=counsellor, on_duty=True)
    conversation = conversation_take(counsellor=counsellor, conversation_id=access.conversation.pk)
    message, _ = message_post(
        conversation=conversation, sender="visitor", client_id="m1", body="Poikani uusi ryhmä"
    )
    record = ContactRecord.objects.get(conversation=conversation)
    record.summary = "Äiti huolissaan pojasta"
    record.risk_level = 2
    record.save()
    case = case_create_for_record(record=record, by=counsellor, title="Perhe K")
    conversation_end(conversation=conversation, ended_by="counsellor", by=counsellor)
    feedback_given(answer="yes", day=timezone.localdate())
    secret_bytes = raw_body(message.pk).split(":")[-1][:40].encode()  # as it is in the file
    today = timezone.localdate()
    period = (today - timedelta(days=1), today + timedelta(days=1))
    before = report_for(*period)

    # Nothing is due yet.
    assert not any(purge().values())
    assert Message.objects.count() == 1

    policy = RetentionPolicy.current()
    policy.notes_days = 90
    policy.save()
    case_update(case=case, by=counsellor, status="closed", title="Perhe K")
    with time_machine.travel(timezone.now() + timedelta(days=100), tick=False):
        counts = purge()
        assert counts["conversations"] == 1 and counts["return_codes"] == 1
        assert counts["record_texts"] == 1 and counts["case_texts"] == 1
        assert not any(purge().values())  # a second run finds nothing more
    assert Message.objects.count() == 0
    stored = Conversation.objects.get(pk=conversation.pk)
    assert stored.nickname == "" and stored.content_purged_at is not None
    assert stored.kind == "chat" and stored.taken_at is not None  # times for statistics
    with pytest.raises(ConversationError):
        conversation_resume(code=access.return_code)
    record.refresh_from_db()
    assert record.summary == "" and record.risk_level == 2
    after = report_for(*period)
    assert after.contacts == before.contacts
    assert [t.cells for t in after.tables] == [t.cells for t in before.tables]
    assert Feedback.objects.count() == 1  # its own, longer period
    entry = AuditEntry.objects.get(action="retention.purged")
    assert entry.data["conversations"] == 1
    if connection.vendor == "sqlite":
        assert secret_bytes not in sqlite_file_bytes()


def test_the_staff_notes_go_with_the_conversations_messages():
    counsellor = StaffFactory(role=Role.COUNSELLOR)
    supervisor = StaffFactory(role=Role.SUPERVISOR)
    duty_set(user=counsellor, on_duty=True)
    kept = chat_start(language="fi")
    old = chat_start(language="fi")
    for access in (old, kept):
        conversation = conversation_take(
            counsellor=counsellor, conversation_id=access.conversation.pk
        )
        message_post(conversation=conversation, sender="visitor", client_id="m", body="Hei")
        staff_note_add(
            conversation_id=conversation.pk, author=supervisor, client_id="n", body="Hiljaa"
        )
        conversation_end(conversation=conversation, ended_by="counsellor", by=counsellor)
        if access is old:
            # The other one goes on for a while: its messages are not yet due.
            Conversation.objects.filter(pk=conversation.pk).update(
                last_message_at=timezone.now() - timedelta(days=100),
                created_at=timezone.now() - timedelta(days=100),
            )
    policy = RetentionPolicy.current()
    with time_machine.travel(timezone.now() + timedelta(days=policy.message_days - 50), tick=False):
        assert purge()["conversations"] == 1
    assert not StaffNote.objects.filter(conversation=old.conversation).exists()
    assert not Message.objects.filter(conversation=old.conversation).exists()
    assert [n.body for n in StaffNote.objects.filter(conversation=kept.conversation)] == ["Hiljaa"]


def test_the_deletion_date_is_shown_to_the_counsellor(client, logged_in):
    counsellor = logged_in(Role.COUNSELLOR)
    access = chat_start(language="fi")
    duty_set(user=counsellor, on_duty=True)
    conversation_take(counsellor=counsellor, conversation_id=access.conversation.pk)
    page = client.get(
        f"/console/conversations/{access.conversation.pk}/", HTTP_ACCEPT_LANGUAGE="en"
    )
    due = timezone.localtime(access.conversation.created_at + timedelta(days=90))
    # English staff dates are day first (core/formats/en: "j M Y").
    assert f"Messages will be deleted on {due.day} {due:%b %Y}" in page.content.decode()


def test_call_back_numbers_go_after_their_own_period_and_old_audit_entries_after_theirs():
    from huoli.core.audit import audit_verify
    from huoli.escalations.services import (
        escalation_callback_set,
        escalation_decide,
        escalation_open,
    )

    counsellor = StaffFactory(role=Role.COUNSELLOR)
    supervisor = StaffFactory(role=Role.SUPERVISOR)
    record = PhoneCallFactory(counsellor=counsellor)
    escalation = escalation_open(by=counsellor, record=record, assessment="Uhka")
    escalation_callback_set(escalation=escalation, by=counsellor, number="040 123 4567")
    escalation_decide(escalation=escalation, supervisor=supervisor, decision="police", reason="R")
    before = AuditEntry.objects.count()
    with time_machine.travel(timezone.now() + timedelta(days=31), tick=False):
        counts = purge()
    assert counts["callback_numbers"] == 1 and counts["escalations"] == 0
    assert counts["audit_entries"] == 0
    escalation.refresh_from_db()
    assert escalation.callback_number == "" and escalation.reason == "R"
    assert escalation.callback_purged_at is not None

    with time_machine.travel(timezone.now() + timedelta(days=1826), tick=False):
        counts = purge()
    assert counts["audit_entries"] == before  # the first purge's entry is 1,795 days old
    assert audit_verify().ok
    kept = list(AuditEntry.objects.order_by("seq").values_list("action", flat=True))
    assert kept == ["retention.purged", "audit.pruned", "retention.purged"]


def test_a_purged_conversation_keeps_its_times_only_to_the_day_and_the_service_levels():
    """To the microsecond, a conversation's times could be matched with a network log or a
    phone bill; after the purge they are local midnights, and the wait and length the
    statistics need are kept as durations rounded to ten seconds."""
    tz = timezone.get_current_timezone()
    start = timezone.make_aware(datetime(2026, 3, 10, 14, 7, 31, 123456), tz)
    # Rows written directly: no service stores a conversation with exact past times.
    for i in range(6):
        created = start + timedelta(hours=i, microseconds=i)
        Conversation.objects.create(
            kind="chat",
            language="fi",
            status="ended",
            created_at=created,
            taken_at=created + timedelta(seconds=60 * (i + 1)),
            ended_at=created + timedelta(seconds=60 * (i + 1) + 600 * (i + 1)),
            last_message_at=created + timedelta(seconds=60 * (i + 1) + 590 * (i + 1)),
            return_code_hash=f"hash-{i}",
        )
    left = Conversation.objects.create(
        kind="chat",
        language="fi",
        status="ended",
        created_at=start,
        ended_at=start + timedelta(seconds=45),
        return_code_hash="hash-left",
    )
    period = (date(2026, 3, 9), date(2026, 3, 11))
    with translation.override("en"):
        before = report_for(*period).service_levels
    assert ("Median wait", "3.5 min") in before

    with time_machine.travel(start + timedelta(days=100), tick=False):
        assert purge()["conversations"] == 7

    time_fields = [
        f.name for f in Conversation._meta.fields if f.get_internal_type() == "DateTimeField"
    ]
    for conversation in Conversation.objects.all():
        for name in time_fields:
            value = getattr(conversation, name)
            if value is not None:
                local = timezone.localtime(value)
                assert (local.hour, local.minute, local.second, local.microsecond) == (
                    0,
                    0,
                    0,
                    0,
                ), (
                    name,
                    local,
                )
    left.refresh_from_db()
    assert timezone.localdate(left.created_at) == date(2026, 3, 10)
    with translation.override("en"):
        assert report_for(*period).service_levels == before


def test_the_records_of_a_purged_conversation_keep_their_times_only_to_the_day():
    """A chat's contact record would give back the moment its conversation no longer keeps:
    its times go to the day too; the record keeps its day and its length."""
    tz = timezone.get_current_timezone()
    start = timezone.make_aware(datetime(2026, 3, 10, 23, 7, 31, 123456), tz)
    # Rows written directly: no service stores a conversation or record with exact past times.
    conversation = Conversation.objects.create(
        kind="chat", language="fi", status="ended", created_at=start,
        taken_at=start + timedelta(seconds=30), ended_at=start + timedelta(minutes=12),
        return_code_hash="hash-record",
    )  # fmt: skip
    record = ContactRecord.objects.create(
        channel="chat", conversation=conversation, started_at=start,
        ended_at=start + timedelta(minutes=12, seconds=4), created_at=start,
        updated_at=start + timedelta(minutes=13), completed_at=start + timedelta(minutes=13),
    )  # fmt: skip
    phone = ContactRecord.objects.create(channel="phone", started_at=start)
    with time_machine.travel(start + timedelta(days=100), tick=False):
        assert purge()["conversations"] == 1
    record.refresh_from_db()
    midnight = timezone.make_aware(datetime(2026, 3, 10), tz)
    assert (record.started_at, record.created_at, record.updated_at, record.completed_at) == (
        midnight, midnight, midnight, midnight,
    )  # fmt: skip
    assert record.ended_at == midnight + timedelta(minutes=12)
    assert record.started_on == date(2026, 3, 10)
    phone.refresh_from_db()
    assert phone.started_at == start  # a call has no conversation to purge


def test_a_purged_call_keeps_its_times_only_to_the_day_and_its_wait_and_talk():
    """A call's arrival, last ring, answer and end could be matched with a phone bill: after
    the purge they are local midnights; its wait and talk are kept rounded to ten seconds,
    and the statistics of calls are the same, except that the hour is no longer known."""
    tz = timezone.get_current_timezone()
    start = timezone.make_aware(datetime(2026, 3, 10, 14, 7, 31, 123456), tz)
    aino = call_taker_on_duty()
    for i in range(5):
        call_at(start + timedelta(minutes=20 * i), by=aino, wait=12 + 10 * i, talk=64 + 60 * i)
    call_at(start + timedelta(hours=5), wait=47, ended="cancelled")
    period = (date(2026, 3, 9), date(2026, 3, 11))
    with translation.override("en"):
        before = report_for(*period)
    assert Call.objects.filter(answered_at__isnull=False).count() == 5

    with time_machine.travel(start + timedelta(days=100), tick=False):
        assert purge()["conversations"] == 6
        assert not any(purge().values())

    midnight = timezone.make_aware(datetime(2026, 3, 10), tz)
    calls = list(Call.objects.order_by("pk"))
    for call in calls:
        assert call.offered_at == midnight and call.ended_at == midnight
        assert call.rang_at in (midnight, None)
    assert [c.answered_at for c in calls] == [midnight] * 5 + [None]
    assert [c.wait_seconds for c in calls] == [10, 20, 30, 40, 50, 50]
    assert [c.talk_seconds for c in calls] == [60, 120, 180, 240, 300, None]
    with translation.override("en"):
        after = report_for(*period)

    # The same figures, from the durations rounded to ten seconds (as printed).
    def printed(levels):
        return {label: getattr(cell, "text", cell) for label, cell in levels}

    assert printed(before.call_levels) == {
        "Calls offered": "5", "Median time to answer": "30 s",
        "90th percentile of time to answer": "40 s", "Median talk time": "3.1 min",
        "Total talk time": "15 min",
        "Median time from a call-back request to the first call": "—",
    }  # fmt: skip
    assert printed(after.call_levels) == {
        "Calls offered": "5", "Median time to answer": "30 s",
        "90th percentile of time to answer": "40 s", "Median talk time": "3.0 min",
        "Total talk time": "15 min",
        "Median time from a call-back request to the first call": "—",
    }  # fmt: skip
    hours = {t.key: t for t in after.call_tables}["call_hour"].values
    assert hours[-1] == 6 and sum(hours[:24]) == 0
    weekdays = {t.key: t for t in after.call_tables}["call_weekday"].values
    assert weekdays == {t.key: t for t in before.call_tables}["call_weekday"].values


def test_the_caller_key_is_replaced_after_the_retention_period(settings, monkeypatch, tmp_path):
    """After the messages' period a caller's number hashes differently: an old hash links
    nothing to a new call (decision 0035). The key in the environment is left alone."""
    from huoli import keys
    from huoli.calls.selectors import caller_hash

    path = tmp_path / "caller_key"
    env_name, _path, make = keys.SINGLE_SECRETS["caller key"]
    monkeypatch.setitem(keys.SINGLE_SECRETS, "caller key", (env_name, path, make))
    monkeypatch.delenv(env_name, raising=False)
    settings.HUOLI_CALLER_KEY_ROTATION = True
    assert purge()["caller_key_replaced"] == 1  # no key yet: one is made
    before = caller_hash("+358401234567")
    assert purge()["caller_key_replaced"] == 0
    assert caller_hash("+358401234567") == before
    days = RetentionPolicy.current().message_days
    with time_machine.travel(timezone.now() + timedelta(days=days + 1)):
        assert purge()["caller_key_replaced"] == 1
    assert caller_hash("+358401234567") != before
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    monkeypatch.setenv(env_name, "from-the-environment")
    with time_machine.travel(timezone.now() + timedelta(days=3 * days)):
        assert purge()["caller_key_replaced"] == 0


def test_a_call_back_keeps_only_its_outcome_and_the_wait_for_the_first_attempt():
    from huoli.calls.models import CallbackRequest
    from huoli.calls.services.callbacks import (
        callback_number_for_dial,
        callback_outcome,
        callback_request,
    )
    from huoli.conversations.tests.factories import open_line_with_counsellor
    from huoli.helpline.selectors import HELSINKI

    monday = datetime(2027, 3, 1, 9, 0, tzinfo=HELSINKI)
    with time_machine.travel(monday, tick=False):
        counsellor = open_line_with_counsellor(languages=["fi"])
        conversation = callback_request(
            language="fi", number="040 123 4567", slots=[(monday.date(), 16)]
        ).conversation
    with time_machine.travel(monday.replace(hour=16, minute=4), tick=False):
        conversation_take(counsellor=counsellor, conversation_id=conversation.pk)
        callback_number_for_dial(by=counsellor, conversation_id=conversation.pk)
        callback_outcome(by=counsellor, conversation_id=conversation.pk, outcome="reached")
    request = CallbackRequest.objects.get()
    assert request.windows == [] and request.number is None  # already at the close

    purge(now=monday + timedelta(days=RetentionPolicy.current().message_days + 1))
    request.refresh_from_db()
    midnight = monday.replace(hour=0, minute=0)
    assert (request.first_attempt_at, request.closed_at, request.number_deleted_at) == (
        midnight,
        midnight,
        midnight,
    )
    # 7 h 4 min from the request to the first attempt, to ten minutes.
    assert request.first_attempt_minutes == 420
    conversation.refresh_from_db()
    assert conversation.queued_from == midnight and conversation.created_at == midnight


def test_handover_notes_and_debrief_requests_go_after_their_periods():
    from huoli.supervision.models import DebriefRequest, HandoverNote, HandoverRead
    from huoli.supervision.services.debriefs import debrief_done, debrief_request
    from huoli.supervision.services.handover import handover_note_mark_read, handover_note_write

    counsellor = StaffFactory(role=Role.COUNSELLOR)
    supervisor = StaffFactory(role=Role.SUPERVISOR)
    policy = RetentionPolicy.saved()
    assert (policy.handover_days, policy.debrief_days) == (30, 90)  # the defaults
    start = timezone.now()
    old_note = handover_note_write(by=counsellor, body="Vanha vuoronvaihto")
    handover_note_mark_read(note=old_note, by=supervisor)
    done = debrief_request(record=PhoneCallFactory(counsellor=counsellor), by=counsellor)
    waiting = debrief_request(record=PhoneCallFactory(counsellor=counsellor), by=counsellor)
    with time_machine.travel(start + timedelta(days=60), tick=False):
        debrief_done(request_id=done.pk, by=supervisor)
    with time_machine.travel(start + timedelta(days=20), tick=False):
        new_note = handover_note_write(by=counsellor, body="Uusi")

    with time_machine.travel(start + timedelta(days=31), tick=False):
        counts = purge()
    assert counts["handover_notes"] == 1 and counts["debrief_requests"] == 0
    assert list(HandoverNote.objects.all()) == [new_note]
    assert not HandoverRead.objects.exists()  # who read it went with it
    assert DebriefRequest.objects.filter(pk=waiting.pk).exists()

    # The waiting request counts from when it was asked, the done one from when it was done.
    with time_machine.travel(start + timedelta(days=91), tick=False):
        counts = purge()
    assert counts["debrief_requests"] == 1
    assert list(DebriefRequest.objects.values_list("pk", flat=True)) == [done.pk]
    with time_machine.travel(start + timedelta(days=151), tick=False):
        assert purge()["debrief_requests"] == 1
    assert not DebriefRequest.objects.exists()
    assert ContactRecord.objects.count() == 2  # the records stay


def test_quality_reviews_and_their_ratings_go_after_their_own_period():
    from huoli.supervision.models import Review, ReviewRating
    from huoli.supervision.tests.factories import ended_conversation, review_shared

    counsellor = StaffFactory(role=Role.COUNSELLOR)
    supervisor = StaffFactory(role=Role.SUPERVISOR)
    review = review_shared(
        supervisor=supervisor, conversation=ended_conversation(counsellor=counsellor)
    )
    policy = RetentionPolicy.current()
    assert policy.review_days == 365
    policy.review_days = 200
    policy.save()
    assert ReviewRating.objects.filter(review=review).exists()

    with time_machine.travel(timezone.now() + timedelta(days=199), tick=False):
        counts = purge()
    assert counts["reviews"] == 0 and counts["conversations"] == 1
    assert Review.objects.filter(pk=review.pk).exists()
    with time_machine.travel(timezone.now() + timedelta(days=201), tick=False):
        counts = purge()
    assert counts["reviews"] == 1
    assert not Review.objects.exists() and not ReviewRating.objects.exists()
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM supervision_review")
        assert cursor.fetchone()[0] == 0


def test_shifts_go_with_the_messages_period_after_they_ended():
    """A shift's times would narrow down when a contact happened."""
    from huoli.conversations.models import DutyPeriod

    counsellor = StaffFactory(role=Role.COUNSELLOR)
    policy = RetentionPolicy.saved()
    start = timezone.now()
    duty_set(user=counsellor, on_duty=True)
    with time_machine.travel(start + timedelta(hours=5), tick=False):
        duty_set(user=counsellor, on_duty=False)
    with time_machine.travel(start + timedelta(days=policy.message_days), tick=False):
        assert purge()["shifts"] == 0
        duty_set(user=counsellor, on_duty=True)  # open: kept however old it gets
    with time_machine.travel(start + timedelta(days=policy.message_days, hours=6), tick=False):
        assert purge()["shifts"] == 1
    with time_machine.travel(start + timedelta(days=10 * policy.message_days), tick=False):
        assert purge()["shifts"] == 0
    [left] = DutyPeriod.objects.all()
    assert left.ended_at is None

"""Call-back requests through the services (decision 0038): asked for times the line is
open, offered in the queue only when their window opens, the number seen only by the
counsellor who took it (audited), no answer → the next window, and the number deleted from
the database whenever the request closes."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import IntegrityError, connection, transaction
from django.utils import translation

from huoli.accounts.tests.factories import StaffFactory
from huoli.calls import numbers
from huoli.calls.errors import CallError
from huoli.calls.models import CallbackRequest
from huoli.calls.selectors import callback_slot_window, callback_slots
from huoli.calls.services.callbacks import (
    callback_cancel,
    callback_number_for_dial,
    callback_number_show,
    callback_outcome,
    callback_request,
    callback_windows_announce,
    callbacks_close_due,
)
from huoli.contacts.models import ContactRecord
from huoli.conversations.errors import ConversationError
from huoli.conversations.models import Conversation
from huoli.conversations.selectors import queue_for
from huoli.conversations.services.messages import message_post
from huoli.conversations.services.queue import conversation_end, conversation_take
from huoli.conversations.tests.factories import open_line_with_counsellor
from huoli.core.audit import AuditEntry
from huoli.core.roles import Role
from huoli.helpline.models import OpeningHours
from huoli.helpline.selectors import HELSINKI
from huoli.helpline.tests.factories import OpeningHoursFactory
from huoli.retention.models import RetentionPolicy
from huoli.retention.services import callbacks_due_closed

pytestmark = pytest.mark.django_db

# A Monday morning in Helsinki; the line opens 16-20 on weekdays in most tests.
MONDAY_9 = dt.datetime(2027, 3, 1, 9, 0, tzinfo=HELSINKI)
MONDAY = MONDAY_9.date()
TUESDAY = MONDAY + dt.timedelta(days=1)
NUMBER = "040 123 4567"
DIALLED = "+358401234567"


def evenings_open():
    OpeningHours.objects.all().delete()
    for weekday in range(5):
        OpeningHoursFactory(weekday=weekday, opens=dt.time(16), closes=dt.time(20))


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=HELSINKI)


def iso(day: dt.date, hour: int) -> str:
    return at(day, hour).astimezone(dt.UTC).isoformat()


def stored(column: str, pk: int):
    """What the database file holds, past the ORM and its decryption."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM calls_callbackrequest WHERE id = %s", [pk])  # noqa: S608
        return cursor.fetchone()[0]


def requested(slots, **fields):
    fields.setdefault("number", NUMBER)
    fields.setdefault("language", "ar")
    return callback_request(slots=slots, **fields)


@pytest.fixture
def counsellor():
    with time_machine.travel(MONDAY_9, tick=False):
        user = open_line_with_counsellor(languages=["ar", "fi"])
    evenings_open()
    return user


def test_numbers_are_written_the_way_the_trunk_dials_them():
    assert numbers.normalised("040 123 4567") == DIALLED
    assert numbers.normalised("+358 (0)40 123-4567") == DIALLED
    assert numbers.normalised("00358401234567") == DIALLED
    assert numbers.normalised("+46 70 123 45 67") == "+46701234567"
    wrong_ones = (
        "",
        "123",
        "040 123 4567 ext 5",
        "+0401234567",
        "+1234567890123456",
        "\u0660\u0664\u0660x\u0661\u0662\u0663",
    )
    for wrong in wrong_ones:
        assert numbers.normalised(wrong) is None, wrong
    assert numbers.shown(DIALLED) == "+358 40 123 4567"


def test_the_times_offered_are_the_opening_hours_in_two_hour_windows(counsellor):
    now = at(MONDAY, 17, 10)
    days = callback_slots(now=now)
    # Monday 16-18 has 50 minutes left: offered, cut to now.
    assert days[0].day == MONDAY and days[0].hours == [16, 18]
    assert callback_slot_window(MONDAY, 16, now=now) == (
        now.astimezone(dt.UTC),
        at(MONDAY, 18).astimezone(dt.UTC),
    )
    assert [d.day.weekday() for d in days] == [0, 1, 2, 3, 4, 0]  # no weekend, a week ahead
    assert all(d.hours == [16, 18] for d in days[1:])
    assert callback_slot_window(MONDAY, 14, now=now) is None  # closed
    assert callback_slot_window(MONDAY, 17, now=now) is None  # not a window's start
    assert callback_slot_window(MONDAY, 16, now=at(MONDAY, 17, 45)) is None  # 15 min left
    assert callback_slot_window(MONDAY - dt.timedelta(days=1), 16, now=now) is None
    assert callback_slot_window(MONDAY + dt.timedelta(days=8), 16, now=now) is None


def test_a_request_keeps_the_number_encrypted_and_waits_outside_the_queue_until_its_window(
    counsellor,
):
    with time_machine.travel(MONDAY_9, tick=False):
        access = requested([(TUESDAY, 18), (MONDAY, 16)], interpreter_needed=True, ask_for="Leila")
    conversation = access.conversation
    request = CallbackRequest.objects.get(conversation=conversation)
    assert access.return_code and access.token
    assert (conversation.kind, conversation.status, conversation.language) == (
        "callback",
        "queued",
        "ar",
    )
    assert conversation.interpreter_needed and not request.may_say_helpline
    assert request.number == DIALLED and request.ask_for == "Leila"
    # Ordered, in UTC: Monday first although it was chosen second.
    assert request.windows == [
        [iso(MONDAY, 16), iso(MONDAY, 18)],
        [iso(TUESDAY, 18), iso(TUESDAY, 20)],
    ]
    for column in ("number", "ask_for"):
        raw = stored(column, request.pk)
        assert raw.startswith("enc2:") and "4567" not in raw and "Leila" not in raw

    with time_machine.travel(at(MONDAY, 15, 59), tick=False):
        assert conversation not in queue_for(counsellor)
        with pytest.raises(ConversationError) as refused:
            conversation_take(counsellor=counsellor, conversation_id=conversation.pk)
        assert refused.value.code == "not_yet"
    with time_machine.travel(
        at(
            MONDAY,
            16,
            0,
        ),
        tick=False,
    ):
        assert list(queue_for(counsellor)) == [conversation]


def test_the_queue_orders_call_backs_by_their_window_not_by_when_they_were_asked(counsellor):
    with time_machine.travel(MONDAY_9, tick=False):
        later = requested([(MONDAY, 18)]).conversation
        sooner = requested([(MONDAY, 16)]).conversation
    with time_machine.travel(at(MONDAY, 18, 30), tick=False):
        assert list(queue_for(counsellor)) == [sooner, later]


def test_times_outside_the_opening_hours_or_past_or_too_many_are_refused(counsellor):
    with time_machine.travel(MONDAY_9, tick=False):
        for slots, code in [
            ([(MONDAY, 10)], "window_invalid"),
            ([(MONDAY - dt.timedelta(days=1), 16)], "window_invalid"),
            ([], "window_missing"),
            ([(MONDAY, 16), (MONDAY, 18), (TUESDAY, 16), (TUESDAY, 18)], "window_many"),
        ]:
            with pytest.raises(CallError) as refused:
                requested(slots)
            assert refused.value.code == code
        with pytest.raises(CallError) as refused:
            requested([(MONDAY, 16)], number="call me")
        assert refused.value.code == "number_invalid"
        with pytest.raises(CallError) as refused:
            requested([(MONDAY, 16)], ask_for="x" * 41)
        assert refused.value.code == "ask_for_long"
    assert not Conversation.objects.exists()


def take(counsellor, conversation, when):
    with time_machine.travel(when, tick=False):
        return conversation_take(counsellor=counsellor, conversation_id=conversation.pk)


def test_only_the_counsellor_who_took_it_sees_the_number_and_each_showing_is_audited(counsellor):
    with time_machine.travel(MONDAY_9, tick=False):
        conversation = requested([(MONDAY, 16)]).conversation
    colleague = open_line_with_counsellor(languages=["ar"])
    supervisor = StaffFactory(role=Role.SUPERVISOR)
    with pytest.raises(CallError):  # nobody's yet
        callback_number_show(by=counsellor, conversation_id=conversation.pk)
    take(counsellor, conversation, at(MONDAY, 16, 5))
    assert not ContactRecord.objects.filter(conversation=conversation).exists()
    for other in (colleague, supervisor):
        with pytest.raises(CallError) as refused:
            callback_number_show(by=other, conversation_id=conversation.pk)
        assert refused.value.code == "not_allowed"
    before = AuditEntry.objects.count()
    assert callback_number_show(by=counsellor, conversation_id=conversation.pk) == DIALLED
    assert callback_number_show(by=counsellor, conversation_id=conversation.pk) == DIALLED
    shown = AuditEntry.objects.order_by("pk")[before:]
    assert [(e.action, e.actor_id, e.object_id) for e in shown] == [
        ("callback.number_shown", counsellor.pk, str(conversation.pk))
    ] * 2
    assert all("4567" not in str(e.data) for e in shown)


def test_no_answer_waits_for_the_next_window_and_after_the_last_it_expires(counsellor):
    with time_machine.travel(MONDAY_9, tick=False):
        conversation = requested([(MONDAY, 16), (TUESDAY, 18)]).conversation
    take(counsellor, conversation, at(MONDAY, 16, 5))
    with time_machine.travel(at(MONDAY, 16, 6), tick=False):
        callback_number_for_dial(by=counsellor, conversation_id=conversation.pk)
        went = callback_outcome(by=counsellor, conversation_id=conversation.pk, outcome="no_answer")
        assert went is None
    conversation.refresh_from_db()
    request = CallbackRequest.objects.get(conversation=conversation)
    assert (conversation.status, conversation.counsellor, request.outcome) == ("queued", None, "")
    assert conversation.queued_from == at(TUESDAY, 18)
    assert (request.attempts, request.first_attempt_at) == (1, at(MONDAY, 16, 6))
    with time_machine.travel(at(TUESDAY, 17), tick=False):
        assert conversation not in queue_for(counsellor)
    take(counsellor, conversation, at(TUESDAY, 18, 1))
    with time_machine.travel(at(TUESDAY, 18, 2), tick=False):
        callback_number_for_dial(by=counsellor, conversation_id=conversation.pk)
        callback_outcome(by=counsellor, conversation_id=conversation.pk, outcome="no_answer")
    conversation.refresh_from_db()
    request.refresh_from_db()
    assert (conversation.status, request.outcome, request.attempts) == ("ended", "expired", 2)
    assert stored("number", request.pk) is None and stored("ask_for", request.pk) is None
    assert request.number_deleted_at == at(TUESDAY, 18, 2)


def test_reached_opens_a_phone_record_draft_and_deletes_the_number(counsellor):
    with time_machine.travel(MONDAY_9, tick=False):
        conversation = requested([(MONDAY, 16)], interpreter_needed=True).conversation
    take(counsellor, conversation, at(MONDAY, 16, 5))
    with time_machine.travel(at(MONDAY, 16, 30), tick=False):
        callback_number_for_dial(by=counsellor, conversation_id=conversation.pk)
        record = callback_outcome(by=counsellor, conversation_id=conversation.pk, outcome="reached")
    assert (record.channel, record.counsellor, record.language, record.status) == (
        "phone",
        counsellor,
        "ar",
        "draft",
    )
    conversation.refresh_from_db()
    request = CallbackRequest.objects.get(conversation=conversation)
    assert (conversation.status, request.outcome) == ("ended", "reached")
    assert stored("number", request.pk) is None
    with pytest.raises(CallError):  # closed: nothing more to say, nothing to show
        callback_outcome(by=counsellor, conversation_id=conversation.pk, outcome="no_answer")
    with pytest.raises(CallError):
        callback_number_show(by=counsellor, conversation_id=conversation.pk)


def test_wrong_number_closes_it(counsellor):
    with time_machine.travel(MONDAY_9, tick=False):
        conversation = requested([(MONDAY, 16), (TUESDAY, 16)]).conversation
    take(counsellor, conversation, at(MONDAY, 16, 5))
    callback_outcome(by=counsellor, conversation_id=conversation.pk, outcome="wrong_number")
    request = CallbackRequest.objects.get(conversation=conversation)
    assert request.outcome == "wrong_number" and stored("number", request.pk) is None
    assert not ContactRecord.objects.filter(conversation=conversation).exists()


def test_the_family_cancels_with_their_browser_and_nobody_else_can(counsellor):
    with time_machine.travel(MONDAY_9, tick=False):
        access = requested([(MONDAY, 16)])
        other = requested([(MONDAY, 18)])
    with pytest.raises(CallError):
        callback_cancel(conversation_id=access.conversation.pk, visitor_token=other.token)
    with pytest.raises(CallError):
        callback_cancel(conversation_id=access.conversation.pk, visitor_token="")
    callback_cancel(conversation_id=access.conversation.pk, visitor_token=access.token)
    request = CallbackRequest.objects.get(conversation=access.conversation)
    access.conversation.refresh_from_db()
    assert (request.outcome, access.conversation.status) == ("cancelled", "ended")
    assert stored("number", request.pk) is None and request.number_deleted_at is not None
    with time_machine.travel(at(MONDAY, 16, 30), tick=False):
        assert access.conversation not in queue_for(counsellor)


def test_requests_expire_after_their_last_window_and_at_the_latest_after_the_period(counsellor):
    with time_machine.travel(MONDAY_9, tick=False):
        waiting = requested([(MONDAY, 16)]).conversation
        taken = requested([(MONDAY, 16), (TUESDAY, 16)]).conversation
    take(counsellor, taken, at(MONDAY, 16, 5))  # and never said how it went
    assert callbacks_close_due(days=14, now=at(MONDAY, 17, 59)) == 0
    assert callbacks_close_due(days=14, now=at(MONDAY, 18)) == 1
    waiting_request = CallbackRequest.objects.get(conversation=waiting)
    assert waiting_request.outcome == "expired" and stored("number", waiting_request.pk) is None

    policy = RetentionPolicy.current()
    policy.callback_request_days = 2
    policy.save()
    assert callbacks_due_closed(now=MONDAY_9 + dt.timedelta(days=2) - dt.timedelta(seconds=1)) == 0
    assert callbacks_due_closed(now=MONDAY_9 + dt.timedelta(days=2)) == 1
    taken_request = CallbackRequest.objects.get(conversation=taken)
    assert taken_request.outcome == "expired" and stored("number", taken_request.pk) is None


def test_the_database_refuses_a_closed_request_that_keeps_its_number(counsellor):
    with time_machine.travel(MONDAY_9, tick=False):
        conversation = requested([(MONDAY, 16)]).conversation
    with pytest.raises(IntegrityError), transaction.atomic():
        CallbackRequest.objects.filter(conversation=conversation).update(outcome="reached")


def test_nothing_is_written_in_a_call_back_request_by_either_side(counsellor):
    with time_machine.travel(MONDAY_9, tick=False):
        access = requested([(MONDAY, 16)])
    take(counsellor, access.conversation, at(MONDAY, 16, 5))
    for sender, author, token in (
        ("visitor", None, access.token),
        ("counsellor", counsellor, None),
    ):
        with pytest.raises(ConversationError) as refused:
            message_post(
                conversation=access.conversation,
                sender=sender,
                author=author,
                visitor_token=token,
                client_id="c1",
                body="hello",
            )
        assert refused.value.code == "no_messages"
    access.conversation.refresh_from_db()
    assert (access.conversation.kind, access.conversation.last_seq) == ("callback", 0)


def test_a_call_back_ends_only_with_its_outcome_so_no_number_outlives_it(counsellor):
    from huoli.conversations.services.queue import conversation_flag

    with time_machine.travel(MONDAY_9, tick=False):
        access = requested([(MONDAY, 16), (TUESDAY, 16)])
    conversation = access.conversation
    take(counsellor, conversation, at(MONDAY, 16, 5))
    supervisor = StaffFactory(role=Role.SUPERVISOR)
    for attempt in (
        lambda: conversation_end(conversation=conversation, ended_by="counsellor", by=counsellor),
        lambda: conversation_end(conversation=conversation, ended_by="counsellor", by=supervisor),
        lambda: conversation_end(
            conversation=conversation, ended_by="visitor", visitor_token=access.token
        ),
        lambda: conversation_flag(
            conversation=conversation, by=supervisor, reason="automated", block_code=True
        ),
    ):
        with pytest.raises(ConversationError) as refused:
            attempt()
        assert refused.value.code == "callback_outcome"
    conversation.refresh_from_db()
    request = CallbackRequest.objects.get(conversation=conversation)
    assert (conversation.status, request.outcome) == ("active", "")
    assert request.number == DIALLED


def test_no_answer_in_a_later_time_that_has_begun_tries_again_at_once(counsellor):
    with time_machine.travel(MONDAY_9, tick=False):
        conversation = requested([(MONDAY, 16), (MONDAY, 18)]).conversation
    take(counsellor, conversation, at(MONDAY, 16, 30))
    callback_outcome(
        by=counsellor, conversation_id=conversation.pk, outcome="no_answer", now=at(MONDAY, 18, 10)
    )
    conversation.refresh_from_db()
    assert (conversation.status, conversation.queued_from) == ("queued", at(MONDAY, 18, 10))
    take(counsellor, conversation, at(MONDAY, 18, 11))
    # Tried in the last time: no answer now closes it.
    callback_outcome(
        by=counsellor, conversation_id=conversation.pk, outcome="no_answer", now=at(MONDAY, 18, 12)
    )
    assert CallbackRequest.objects.get(conversation=conversation).outcome == "expired"


def test_after_the_family_cancelled_the_counsellor_is_told_so(counsellor):
    with time_machine.travel(MONDAY_9, tick=False):
        access = requested([(MONDAY, 16)])
    take(counsellor, access.conversation, at(MONDAY, 16, 5))
    callback_cancel(conversation_id=access.conversation.pk, visitor_token=access.token)
    with pytest.raises(CallError) as refused, translation.override("en"):
        callback_outcome(by=counsellor, conversation_id=access.conversation.pk, outcome="reached")
    assert refused.value.code == "closed"
    assert "Cancelled by the family" in str(refused.value)


def test_attempts_count_each_outcome_and_the_first_call_time_stays(counsellor):
    with time_machine.travel(MONDAY_9, tick=False):
        conversation = requested([(MONDAY, 16), (TUESDAY, 16)]).conversation
    take(counsellor, conversation, at(MONDAY, 16, 5))
    callback_outcome(
        by=counsellor, conversation_id=conversation.pk, outcome="no_answer", now=at(MONDAY, 16, 7)
    )
    request = CallbackRequest.objects.get(conversation=conversation)
    assert (request.attempts, request.first_attempt_at) == (1, at(MONDAY, 16, 7))


def test_the_consoles_hear_when_a_window_opens(counsellor, django_capture_on_commit_callbacks):
    import asyncio

    from asgiref.sync import async_to_sync, sync_to_async
    from channels.layers import get_channel_layer

    with time_machine.travel(MONDAY_9, tick=False):
        requested([(MONDAY, 16)])

    def announce():
        with django_capture_on_commit_callbacks(execute=True):
            quiet = callback_windows_announce(since=at(MONDAY, 15, 0), now=at(MONDAY, 15, 59))
            opened = callback_windows_announce(since=at(MONDAY, 15, 59), now=at(MONDAY, 16, 0))
        return quiet, opened

    async def listen():
        # One event loop for the subscription and the receipt: a Redis channel layer keeps a
        # process-local channel to the loop that made it.
        layer = get_channel_layer()
        channel = await layer.new_channel()
        await layer.group_add("queue", channel)
        counts = await sync_to_async(announce)()  # in this thread: the test's transaction
        message = await asyncio.wait_for(layer.receive(channel), 10)
        await layer.group_discard("queue", channel)
        return counts, message

    counts, message = async_to_sync(listen)()
    assert counts == (0, 1)
    assert message["event"] == {"type": "queue.changed", "arrived": "callback"}, message


def test_the_softphone_dials_only_with_a_fresh_token_of_the_counsellor_who_holds_it(counsellor):
    from huoli.calls.models import CallLine
    from huoli.calls.selectors import sip_user
    from huoli.calls.services.callbacks import callback_dial, callback_dial_token_issue

    with time_machine.travel(MONDAY_9, tick=False):
        conversation = requested([(MONDAY, 16), (TUESDAY, 16)]).conversation
    take(counsellor, conversation, at(MONDAY, 16, 5))
    with pytest.raises(CallError) as refused:  # the line's own number is not set
        callback_dial_token_issue(by=counsellor, conversation_id=conversation.pk)
    assert refused.value.code == "no_line_number"
    line = CallLine.saved()
    line.number = "+35891234500"
    line.save()
    colleague = open_line_with_counsellor(languages=["ar"])
    with pytest.raises(CallError):
        callback_dial_token_issue(by=colleague, conversation_id=conversation.pk)

    token = callback_dial_token_issue(by=counsellor, conversation_id=conversation.pk)
    assert DIALLED not in token and "4567" not in token
    assert callback_dial(token=token, sip_user=sip_user(colleague)).action == "reject"
    answer = callback_dial(token=token, sip_user=sip_user(counsellor))
    assert (answer.action, answer.number, answer.caller_id) == ("dial", DIALLED, "+35891234500")
    assert callback_dial(token=token, sip_user=sip_user(counsellor)).action == "reject"  # used
    assert callback_dial(token=token + "x", sip_user=sip_user(counsellor)).code == 403
    request = CallbackRequest.objects.get(conversation=conversation)
    assert request.first_attempt_at is not None
    assert AuditEntry.objects.filter(action="callback.dialled", actor_id=counsellor.pk).count() == 1

    # Once it is no longer theirs (no answer: back in the queue), a token no longer dials.
    token = callback_dial_token_issue(by=counsellor, conversation_id=conversation.pk)
    callback_outcome(by=counsellor, conversation_id=conversation.pk, outcome="no_answer")
    assert callback_dial(token=token, sip_user=sip_user(counsellor)).code == 403
    # An old token is refused after its minute.
    take(counsellor, conversation, at(TUESDAY, 16, 5))
    with time_machine.travel(at(TUESDAY, 16, 5), tick=False):
        token = callback_dial_token_issue(by=counsellor, conversation_id=conversation.pk)
    with time_machine.travel(at(TUESDAY, 16, 7), tick=False):
        assert callback_dial(token=token, sip_user=sip_user(counsellor)).code == 403


def test_two_times_one_after_the_other_are_two_tries_not_one(counsellor):
    """A family who chose 16-18 and 18-20 is tried again at 18 after no answer at 16: the
    two times are kept apart, not joined into one window that expires at the first try."""
    with time_machine.travel(MONDAY_9, tick=False):
        conversation = requested([(MONDAY, 16), (MONDAY, 18)]).conversation
    request = CallbackRequest.objects.get(conversation=conversation)
    assert request.windows == [
        [iso(MONDAY, 16), iso(MONDAY, 18)],
        [iso(MONDAY, 18), iso(MONDAY, 20)],
    ]
    take(counsellor, conversation, at(MONDAY, 16, 5))
    with time_machine.travel(at(MONDAY, 16, 6), tick=False):
        callback_outcome(by=counsellor, conversation_id=conversation.pk, outcome="no_answer")
    conversation.refresh_from_db()
    request.refresh_from_db()
    assert (conversation.status, request.outcome) == ("queued", "")
    assert conversation.queued_from == at(MONDAY, 18)


def test_numbers_typed_with_arabic_or_persian_digits_are_understood():
    """A phone set to Arabic, Persian or Sorani types its own digits in a tel field: the
    number is the same one (and is kept, as always, in ASCII E.164)."""

    def written(digits: str, zero: int) -> str:
        return "".join(chr(zero + int(d)) if d.isdigit() else d for d in digits)

    assert numbers.normalised(written("040 123 4567", 0x0660)) == DIALLED  # Arabic-Indic
    assert numbers.normalised(written("0401234567", 0x06F0)) == DIALLED  # Persian
    assert numbers.normalised(written("+358 40 123 4567", 0x0660)) == DIALLED
    # Other digit forms (mathematical bold) are still refused.
    assert numbers.normalised(written("0401234567", 0x1D7CE)) is None

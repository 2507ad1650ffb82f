"""Nobody left waiting (issue 18): a waiting chat becomes a message answered later when its
visitor chooses it after the waiting limit, when the line closes or when the last counsellor
goes off duty; a counsellor goes off duty only with their chats handed on or ended; the
visitor's estimate comes from the answer times measured."""

import asyncio
import datetime as dt

import pytest
import time_machine
from asgiref.sync import async_to_sync, sync_to_async
from django.core.cache import cache

from huoli.accounts.models import CounsellorProfile
from huoli.accounts.tests.factories import StaffFactory
from huoli.conversations.errors import ConversationError
from huoli.conversations.models import Conversation
from huoli.conversations.selectors import (
    MINUTES_PER_CHAT_AHEAD,
    chat_offer_due,
    minutes_per_chat_ahead,
    queue_positions,
)
from huoli.conversations.services.messages import message_post
from huoli.conversations.services.queue import (
    OpenChatsRefusal,
    conversation_end,
    conversation_take,
    conversation_to_message,
    duty_set,
    waiting_chats_to_messages,
)
from huoli.conversations.services.start import conversation_resume, conversation_start
from huoli.conversations.tests.factories import chat_start, open_line_with_counsellor
from huoli.core.events import conversation_group
from huoli.core.roles import Role
from huoli.helpline.models import OpeningHours, WaitingLimit, Weekday
from huoli.helpline.selectors import HELSINKI

pytestmark = pytest.mark.django_db

MONDAY = dt.date(2031, 6, 16)


def at(hour: int, minute: int = 0, second: int = 0) -> dt.datetime:
    return dt.datetime.combine(MONDAY, dt.time(hour, minute, second), tzinfo=HELSINKI)


def limit_minutes(minutes: int) -> None:
    row = WaitingLimit.saved()
    row.chat_minutes = minutes
    row.save()


def kind_of(conversation) -> str:
    return Conversation.objects.get(pk=conversation.pk).kind


def events_to(group: str, work, django_capture_on_commit_callbacks) -> tuple[object, list[dict]]:
    """Run ``work`` (committing its events) and return its result and the events the group
    heard."""

    def run():
        with django_capture_on_commit_callbacks(execute=True):
            return work()

    async def listen():
        from channels.layers import get_channel_layer

        layer = get_channel_layer()
        channel = await layer.new_channel()
        await layer.group_add(group, channel)
        result = await sync_to_async(run)()
        heard = []
        while True:
            try:
                heard.append((await asyncio.wait_for(layer.receive(channel), 0.2))["event"])
            except TimeoutError:
                break
        await layer.group_discard(group, channel)
        return result, heard

    return async_to_sync(listen)()


def test_the_visitor_cannot_leave_a_message_before_the_waiting_limit(counsellor_on_duty):
    limit_minutes(10)
    access = chat_start(language="fi")
    with (
        time_machine.travel(dt.timedelta(minutes=9, seconds=50)),
        pytest.raises(ConversationError) as refused,
    ):
        conversation_to_message(conversation_id=access.conversation.pk, visitor_token=access.token)
    assert refused.value.code == "too_soon"
    assert kind_of(access.conversation) == "chat"


def test_after_the_limit_the_chat_becomes_a_message_with_everything_kept(
    counsellor_on_duty, django_capture_on_commit_callbacks
):
    limit_minutes(10)
    access = chat_start(language="fi")
    message_post(
        conversation=access.conversation, sender="visitor", client_id="a", body="Poikani..."
    )
    assert 599 <= chat_offer_due(access.conversation) <= 600
    with time_machine.travel(dt.timedelta(minutes=10, seconds=1)):
        assert chat_offer_due(access.conversation) == 0
        changed, heard = events_to(
            conversation_group(access.conversation.pk),
            lambda: conversation_to_message(
                conversation_id=access.conversation.pk, visitor_token=access.token
            ),
            django_capture_on_commit_callbacks,
        )
    assert heard == [
        {
            "type": "conversation.became_message",
            "conversation_id": access.conversation.pk,
            "reason": "chosen",
        }
    ]
    stored = Conversation.objects.get(pk=access.conversation.pk)
    assert (stored.kind, stored.status, stored.awaiting_reply) == ("message", "queued", True)
    assert [m.body for m in stored.messages.all()] == ["Poikani..."]
    assert changed.pk == stored.pk
    # The return code still opens it, and it is no waiting chat any more.
    assert conversation_resume(code=access.return_code).conversation.pk == stored.pk
    assert chat_offer_due(stored) is None
    assert queue_positions() == []
    # A counsellor answers it later, as any message.
    taken = conversation_take(counsellor=counsellor_on_duty, conversation_id=stored.pk)
    assert taken.status == "active"


def test_only_the_browser_holding_a_waiting_chat_may_turn_it(counsellor_on_duty):
    limit_minutes(1)
    access = chat_start(language="fi")
    other = chat_start(language="fi")
    with time_machine.travel(dt.timedelta(minutes=2)):
        with pytest.raises(ConversationError) as wrong_browser:
            conversation_to_message(
                conversation_id=access.conversation.pk, visitor_token=other.token
            )
        assert wrong_browser.value.code == "signed_out"
        conversation_take(counsellor=counsellor_on_duty, conversation_id=access.conversation.pk)
        with pytest.raises(ConversationError) as taken:
            conversation_to_message(
                conversation_id=access.conversation.pk, visitor_token=access.token
            )
        assert taken.value.code == "not_waiting"
        written = conversation_start(kind="message", language="fi", first_message="Hei")
        with pytest.raises(ConversationError) as message:
            conversation_to_message(
                conversation_id=written.conversation.pk, visitor_token=written.token
            )
        assert message.value.code == "not_waiting"
    assert kind_of(access.conversation) == "chat"


def test_while_chats_are_closed_the_visitor_need_not_wait_for_the_limit():
    counsellor = open_line_with_counsellor()
    access = chat_start(language="fi")
    # Nobody on duty, as the moment before the sweep: the offer is there at once.
    CounsellorProfile.objects.filter(user=counsellor).update(on_duty=False)
    assert chat_offer_due(access.conversation) == 0
    conversation_to_message(conversation_id=access.conversation.pk, visitor_token=access.token)
    assert kind_of(access.conversation) == "message"


def test_at_closing_every_waiting_chat_becomes_a_message_but_calls_and_callbacks_stay(
    django_capture_on_commit_callbacks,
):
    OpeningHours.objects.create(weekday=Weekday.MONDAY, opens=dt.time(8), closes=dt.time(16))
    counsellor = StaffFactory(role=Role.COUNSELLOR, takes_calls=True)
    with time_machine.travel(at(15, 50), tick=False):
        duty_set(user=counsellor, on_duty=True)
        chats = [conversation_start(kind="chat", language="fi") for _ in range(2)]
        taken = conversation_start(kind="chat", language="fi")
        conversation_take(counsellor=counsellor, conversation_id=taken.conversation.pk)
        call = conversation_start(kind="call", language="fi")
        callback = conversation_start(kind="callback", language="fi", made_by_staff=True)
        assert waiting_chats_to_messages() == 0  # still open
    with time_machine.travel(at(16, 0, 30), tick=False):
        count, heard = events_to(
            conversation_group(chats[0].conversation.pk),
            waiting_chats_to_messages,
            django_capture_on_commit_callbacks,
        )
    assert count == 2
    assert heard == [
        {
            "type": "conversation.became_message",
            "conversation_id": chats[0].conversation.pk,
            "reason": "closed",
        }
    ]
    assert [kind_of(c.conversation) for c in chats] == ["message", "message"]
    assert Conversation.objects.get(pk=chats[1].conversation.pk).status == "queued"
    # The chat being answered goes on; the call and the call-back are left as they are.
    assert Conversation.objects.get(pk=taken.conversation.pk).kind == "chat"
    assert Conversation.objects.get(pk=call.conversation.pk).kind == "call"
    assert Conversation.objects.get(pk=callback.conversation.pk).kind == "callback"
    with time_machine.travel(at(16, 1, 30), tick=False):
        assert waiting_chats_to_messages() == 0  # nothing twice


def test_the_last_counsellor_off_duty_turns_the_waiting_chats_into_messages():
    aino = open_line_with_counsellor()
    ben = open_line_with_counsellor()
    access = chat_start(language="fi")
    duty_set(user=ben, on_duty=False)  # Aino is still on duty
    assert kind_of(access.conversation) == "chat"
    duty_set(user=aino, on_duty=False)
    assert kind_of(access.conversation) == "message"
    assert Conversation.objects.get(pk=access.conversation.pk).status == "queued"


def test_off_duty_is_refused_while_the_counsellor_has_open_chats():
    aino = open_line_with_counsellor()
    first, second = chat_start(language="fi"), chat_start(language="fi")
    for access in (first, second):
        conversation_take(counsellor=aino, conversation_id=access.conversation.pk)
    with pytest.raises(OpenChatsRefusal) as refused:
        duty_set(user=aino, on_duty=False)
    assert refused.value.code == "open_chats"
    assert [c.pk for c in refused.value.conversations] == [
        first.conversation.pk,
        second.conversation.pk,
    ]
    assert str(first.conversation) in str(refused.value)
    assert CounsellorProfile.objects.get(user=aino).on_duty
    for access in (first, second):
        conversation_end(conversation=access.conversation, ended_by="counsellor", by=aino)
    duty_set(user=aino, on_duty=False)
    assert not CounsellorProfile.objects.get(user=aino).on_duty


def test_the_estimate_is_the_default_without_history_and_the_measured_median_with_it(
    counsellor_on_duty,
):
    assert minutes_per_chat_ahead() == MINUTES_PER_CHAT_AHEAD

    def answered(wait: dt.timedelta, count: int) -> None:
        for _ in range(count):
            access = chat_start(language="fi")
            with time_machine.travel(wait):
                conversation_take(
                    counsellor=counsellor_on_duty, conversation_id=access.conversation.pk
                )
            conversation_end(
                conversation=access.conversation, ended_by="counsellor", by=counsellor_on_duty
            )

    answered(dt.timedelta(minutes=2, seconds=30), 19)
    cache.clear()
    assert minutes_per_chat_ahead() == MINUTES_PER_CHAT_AHEAD  # 19 samples: too few
    answered(dt.timedelta(minutes=2, seconds=30), 1)
    answered(dt.timedelta(minutes=30), 9)
    # Kept for a few minutes: every queue change asks for it.
    assert minutes_per_chat_ahead() == MINUTES_PER_CHAT_AHEAD
    cache.clear()
    assert minutes_per_chat_ahead() == 3  # the median, 2 min 30 s, in whole minutes
    # After the purge the times are cut to the day; the wait kept counts instead.
    Conversation.objects.filter(kind="chat").update(
        content_purged_at=dt.datetime(2030, 1, 1, tzinfo=dt.UTC), wait_seconds=60
    )
    cache.clear()
    assert minutes_per_chat_ahead() == 1
    chat_start(language="fi")
    chat_start(language="fi")
    # Shared by the counsellors on duty: one here.
    assert [(position, minutes) for _pk, position, minutes in queue_positions()] == [
        (1, 1),
        (2, 2),
    ]


def test_chats_taken_long_ago_do_not_count(counsellor_on_duty):
    for _ in range(25):
        access = chat_start(language="fi")
        conversation_take(counsellor=counsellor_on_duty, conversation_id=access.conversation.pk)
        conversation_end(
            conversation=access.conversation, ended_by="counsellor", by=counsellor_on_duty
        )
    Conversation.objects.update(taken_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    assert minutes_per_chat_ahead() == MINUTES_PER_CHAT_AHEAD

"""Calls through the services: offered under the line's rules, rung to the free call takers
who speak the language, waiting, answered once, ended, abandoned; numbers only hashed."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from huoli.accounts.services import counsellor_profile_save
from huoli.calls.errors import CallError
from huoli.calls.models import Call, CallLine
from huoli.calls.selectors import caller_hash, sip_user
from huoli.calls.services import (
    call_answer,
    call_event,
    call_hang_up,
    call_route,
    registration_allowed,
    registration_token_issue,
    web_call_token_issue,
)
from huoli.calls.tests.factories import call_taker_on_duty, phone_call
from huoli.contacts.models import ContactRecord
from huoli.conversations.models import Conversation
from huoli.conversations.services.queue import conversation_take, duty_set
from huoli.conversations.tests.factories import chat_start, open_line_with_counsellor
from huoli.helpline.models import OpeningHours

pytestmark = pytest.mark.django_db


def test_a_call_rings_the_free_call_takers_who_speak_its_language():
    aino = call_taker_on_duty(languages=["fi"])
    samira = call_taker_on_duty(languages=["ar", "fi"])
    open_line_with_counsellor(languages=["ar"])  # on duty, does not take calls

    _ref, answer = phone_call(line="ar")

    assert answer.action == "ring"
    assert answer.users == [sip_user(samira)]
    conversation = Conversation.objects.get(pk=answer.conversation_id)
    assert (conversation.kind, conversation.status, conversation.language) == (
        "call",
        "queued",
        "ar",
    )
    assert not conversation.interpreter_needed
    assert sip_user(aino) not in answer.users


def test_no_free_speaker_rings_every_free_call_taker_and_needs_an_interpreter():
    aino = call_taker_on_duty(languages=["fi"])
    _ref, answer = phone_call(line="so")
    assert answer.action == "ring" and answer.users == [sip_user(aino)]
    assert Conversation.objects.get(pk=answer.conversation_id).interpreter_needed


def test_a_closed_line_rejects_with_the_closed_message_and_starts_nothing():
    call_taker_on_duty()
    OpeningHours.objects.all().delete()
    _ref, answer = phone_call()
    assert (answer.action, answer.code, answer.announcement) == ("reject", 480, "closed")
    assert not Conversation.objects.exists()


def test_nobody_taking_calls_rejects_with_try_later():
    open_line_with_counsellor()  # on duty, but takes no calls
    _ref, answer = phone_call()
    assert (answer.action, answer.code, answer.announcement) == ("reject", 480, "later")


def test_an_unknown_line_is_not_found():
    call_taker_on_duty()
    _ref, answer = phone_call(line="xx")
    assert (answer.action, answer.code) == ("reject", 404)


def test_the_number_and_the_call_id_are_kept_only_as_keyed_hashes():
    call_taker_on_duty()
    ref, answer = phone_call(caller="040 123 4567", ref="abc123@127.0.0.2")
    call = Call.objects.get(conversation_id=answer.conversation_id)
    assert call.caller_hash == caller_hash("+358401234567") == caller_hash("00358401234567")
    assert call.ref_hash != ref and len(call.ref_hash) == 64
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM calls_call")
        row = " ".join(str(value) for value in cursor.fetchone())
    for secret in ("401234567", "0401234567", "127.0.0.2", "abc123"):
        assert secret not in row


def test_asking_again_about_the_same_call_does_not_offer_it_twice():
    call_taker_on_duty()
    ref, first = phone_call()
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=3)):
        again = call_route(call_ref=ref, line="fi", source="trunk", caller="+358401234567")
    assert again.conversation_id == first.conversation_id
    assert Call.objects.count() == 1 and Conversation.objects.count() == 1


def test_after_a_failed_ring_round_the_call_waits_before_ringing_again():
    call_taker_on_duty()
    ref, first = phone_call()
    assert first.action == "ring"
    # Every softphone declined: Kamailio asks again at once.
    again = call_route(call_ref=ref, line="fi", source="trunk")
    assert (again.action, again.announcement) == ("queue", "queue")
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=3)):
        later = call_route(call_ref=ref, line="fi", source="trunk")
    assert later.action == "ring"


def test_everyone_busy_the_call_waits_and_rings_when_one_is_free():
    aino = call_taker_on_duty()
    counsellor_profile_save(
        user=aino, display_name="Aino", languages=["fi"], max_chats=1, takes_calls=True
    )
    chat = chat_start(language="fi").conversation
    conversation_take(counsellor=aino, conversation_id=chat.pk)

    ref, answer = phone_call()
    assert (answer.action, answer.announcement) == ("queue", "queue")

    from huoli.conversations.services.queue import conversation_end

    conversation_end(conversation=chat, ended_by="counsellor", by=aino)
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=3)):
        answer = call_route(call_ref=ref, line="fi", source="trunk")
    assert answer.action == "ring" and answer.users == [sip_user(aino)]


def test_a_caller_waiting_past_the_limit_is_told_to_try_later_and_the_call_ends():
    call_taker_on_duty()
    row = CallLine.saved()
    row.wait_limit_minutes = 1
    row.save()
    ref, _answer = phone_call()
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=2)):
        answer = call_route(call_ref=ref, line="fi", source="trunk")
    assert (answer.action, answer.code, answer.announcement) == ("reject", 480, "later")
    call = Call.objects.get()
    assert call.outcome == "timed_out" and call.conversation.status == "ended"


def test_answering_takes_the_call_and_opens_a_phone_record_draft():
    aino = call_taker_on_duty()
    ref, answer = phone_call()
    conversation = call_answer(by=aino, conversation_id=answer.conversation_id)
    assert conversation.status == "active" and conversation.counsellor == aino
    record = ContactRecord.objects.get(conversation=conversation)
    assert record.channel == "phone" and record.status == "draft"
    call = Call.objects.get()
    assert call.answered_at is not None and call.outcome == "answered"

    call_event(call_ref=ref, event="ended")
    call.refresh_from_db()
    record.refresh_from_db()
    assert call.ended_at is not None and call.outcome == "answered"
    assert record.ended_at is not None
    assert Conversation.objects.get().status == "ended"


def test_only_one_counsellor_answers_a_call():
    aino = call_taker_on_duty()
    ben = call_taker_on_duty()
    _ref, answer = phone_call()
    call_answer(by=aino, conversation_id=answer.conversation_id)
    with pytest.raises(CallError) as refused:
        call_answer(by=ben, conversation_id=answer.conversation_id)
    assert refused.value.code == "answered_elsewhere"


def test_one_call_at_a_time_and_a_call_counts_against_the_chat_limit():
    aino = call_taker_on_duty()
    _ref, first = phone_call()
    call_answer(by=aino, conversation_id=first.conversation_id)
    _ref2, second = phone_call()
    assert second.action == "queue"  # aino is on a call: nobody to ring
    with pytest.raises(CallError) as refused:
        call_answer(by=aino, conversation_id=second.conversation_id)
    assert refused.value.code == "one_call"
    chat = chat_start(language="fi").conversation
    conversation_take(counsellor=aino, conversation_id=chat.pk)  # limit 2: call + chat
    chat2 = chat_start(language="fi").conversation
    from huoli.conversations.errors import ConversationError

    with pytest.raises(ConversationError) as full:
        conversation_take(counsellor=aino, conversation_id=chat2.pk)
    assert full.value.code == "capacity"


def test_a_call_is_not_taken_with_the_take_button():
    aino = call_taker_on_duty()
    _ref, answer = phone_call()
    from huoli.conversations.errors import ConversationError

    with pytest.raises(ConversationError):
        conversation_take(counsellor=aino, conversation_id=answer.conversation_id)


def test_who_may_not_answer():
    aino = call_taker_on_duty()
    ben = open_line_with_counsellor()  # on duty, takes no calls
    _ref, answer = phone_call()
    with pytest.raises(CallError) as refused:
        call_answer(by=ben, conversation_id=answer.conversation_id)
    assert refused.value.code == "not_allowed"
    duty_set(user=aino, on_duty=False)
    with pytest.raises(CallError):
        call_answer(by=aino, conversation_id=answer.conversation_id)


def test_a_caller_who_hangs_up_while_waiting_is_abandoned():
    call_taker_on_duty()
    ref, _answer = phone_call()
    call_event(call_ref=ref, event="cancelled")
    call = Call.objects.get()
    assert call.outcome == "abandoned" and call.conversation.status == "ended"


def test_a_call_kamailio_gave_up_on_is_abandoned():
    call_taker_on_duty()
    ref, _answer = phone_call()
    call_event(call_ref=ref, event="failed")
    call = Call.objects.get()
    assert call.outcome == "abandoned" and call.conversation.status == "ended"


def test_a_call_kamailio_can_keep_no_longer_ends_as_timed_out():
    """``final``: Kamailio's ring rounds used up what one call may take."""
    call_taker_on_duty()
    ref, _answer = phone_call()
    answer = call_route(call_ref=ref, line="fi", source="trunk", final=True)
    assert (answer.action, answer.code, answer.announcement) == ("reject", 480, "later")
    call = Call.objects.get()
    assert call.outcome == "timed_out" and call.conversation.status == "ended"


def test_the_counsellor_hangs_up():
    aino = call_taker_on_duty()
    ref, answer = phone_call()
    call_answer(by=aino, conversation_id=answer.conversation_id)
    call_hang_up(by=aino, conversation_id=answer.conversation_id)
    call_event(call_ref=ref, event="ended")  # Kamailio's report of the same end
    call = Call.objects.get()
    assert call.outcome == "answered" and call.ended_at is not None


def test_a_blocked_number_is_refused_next_time():
    aino = call_taker_on_duty()
    _ref, answer = phone_call(caller="+358401111111")
    call_answer(by=aino, conversation_id=answer.conversation_id)
    from huoli.conversations.services.queue import conversation_flag

    conversation_flag(
        conversation=Conversation.objects.get(pk=answer.conversation_id),
        by=aino,
        reason="harassment",
        block_code=True,
    )
    _ref, again = phone_call(caller="0401111111")
    assert (again.action, again.code) == ("reject", 403)
    _ref, other = phone_call(caller="0402222222")
    assert other.action == "ring"


def test_a_web_call_needs_a_fresh_token_for_its_line_used_once():
    call_taker_on_duty()
    token = web_call_token_issue(line="fi")
    assert call_route(call_ref="w1", line="sv", source="web", token=token).code == 403
    answer = call_route(call_ref="w2", line="fi", source="web", token=token)
    assert answer.action == "ring"
    assert Call.objects.get().source == "web" and Call.objects.get().caller_hash == ""
    again = call_route(call_ref="w3", line="fi", source="web", token=token)
    assert (again.action, again.code) == ("reject", 403)
    assert call_route(call_ref="w4", line="fi", source="web", token="forged").code == 403
    stale = web_call_token_issue(line="fi")
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=3)):
        assert call_route(call_ref="w5", line="fi", source="web", token=stale).code == 403


def test_a_softphone_registers_only_for_its_own_on_duty_call_taker():
    aino = call_taker_on_duty()
    ben = open_line_with_counsellor()
    token = registration_token_issue(user=aino)
    assert registration_allowed(sip_name=sip_user(aino), token=token)
    assert not registration_allowed(sip_name=sip_user(ben), token=token)
    assert not registration_allowed(sip_name=sip_user(aino), token="forged")
    assert not registration_allowed(
        sip_name=sip_user(ben), token=registration_token_issue(user=ben)
    )  # ben takes no calls
    duty_set(user=aino, on_duty=False)
    assert not registration_allowed(sip_name=sip_user(aino), token=token)


def test_a_call_has_no_return_code_and_no_browser_token():
    """Nothing to come back with: the unique column holds a random value no code hashes to,
    and the slow hash is spared while Kamailio waits."""
    call_taker_on_duty()
    _ref, answer = phone_call()
    conversation = Conversation.objects.get(pk=answer.conversation_id)
    assert conversation.return_code_hash.startswith("call:")
    assert conversation.visitor_token_hash is None


def test_only_a_counsellor_the_call_rang_may_answer_it():
    """An id typed into the answer URL takes nobody's call: the review's finding."""
    rung = call_taker_on_duty(languages=["sv"])
    other = call_taker_on_duty(languages=["fi"])
    _ref, answer = phone_call(line="sv")
    assert answer.users == [sip_user(rung)]
    with pytest.raises(CallError) as refused:
        call_answer(by=other, conversation_id=answer.conversation_id)
    assert refused.value.code == "not_rung"
    call_answer(by=rung, conversation_id=answer.conversation_id)


def test_a_call_rings_only_phones_that_are_registered():
    call_taker_on_duty(registered=False)
    _ref, answer = phone_call()
    assert (answer.action, answer.announcement) == ("queue", "queue")
    from huoli.calls.selectors import call_takers_reachable

    assert not call_takers_reachable()


def test_a_call_kamailio_stopped_asking_about_is_ended_and_frees_its_place(settings):
    settings.HUOLI_MAX_QUEUE = 1
    call_taker_on_duty(registered=False)
    _ref, first = phone_call()
    assert first.action == "queue"
    with time_machine.travel(timezone.now() + dt.timedelta(hours=2)):
        _ref2, second = phone_call()
    assert second.action == "queue"
    gone = Call.objects.get(conversation_id=first.conversation_id)
    assert gone.outcome == "abandoned" and gone.conversation.status == "ended"


def test_a_caller_key_rotation_during_a_call_does_not_lose_the_call(monkeypatch, tmp_path):
    from huoli import keys

    call_taker_on_duty()
    ref, first = phone_call()
    env_name, _path, make = keys.SINGLE_SECRETS["caller key"]
    monkeypatch.setitem(keys.SINGLE_SECRETS, "caller key", (env_name, tmp_path / "k", make))
    monkeypatch.delenv(env_name, raising=False)
    keys.caller_key_rotate_if_older(0)
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=3)):
        again = call_route(call_ref=ref, line="fi", source="trunk")
    assert again.conversation_id == first.conversation_id
    assert Conversation.objects.count() == 1


def test_a_caller_who_cancels_as_the_answer_is_given_is_not_counted_as_answered():
    aino = call_taker_on_duty()
    ref, answer = phone_call()
    call_answer(by=aino, conversation_id=answer.conversation_id)
    call_event(call_ref=ref, event="cancelled")
    call = Call.objects.get()
    assert call.outcome == "abandoned" and call.answered_at is None


def test_web_calls_take_at_most_half_of_the_call_queue(settings):
    settings.HUOLI_MAX_QUEUE = 4
    call_taker_on_duty(registered=False)  # nobody to ring: every call waits
    for n in range(2):
        token = web_call_token_issue(line="fi")
        assert call_route(call_ref=f"web{n}", line="fi", source="web", token=token).action == (
            "queue"
        )
    token = web_call_token_issue(line="fi")
    refused = call_route(call_ref="web9", line="fi", source="web", token=token)
    assert (refused.action, refused.code) == ("reject", 486)
    _ref, by_phone = phone_call()
    assert by_phone.action == "queue"  # the telephone still gets in


def test_a_declined_call_rings_colleagues_first_and_the_decliner_only_when_nobody_else_can():
    from huoli.calls.services import call_decline

    aino = call_taker_on_duty(languages=["fi"])
    ref, first = phone_call()
    assert first.users == [sip_user(aino)]
    call_decline(by=aino, conversation_id=first.conversation_id)
    ben = call_taker_on_duty(languages=["fi"])
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=3)):
        again = call_route(call_ref=ref, line="fi", source="trunk")
    assert again.users == [sip_user(ben)]  # aino declined: ben first
    duty_set(user=ben, on_duty=False)
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=6)):
        last = call_route(call_ref=ref, line="fi", source="trunk")
    assert last.users == [sip_user(aino)]  # nobody else: it rings aino again
    with pytest.raises(CallError):
        call_decline(by=ben, conversation_id=first.conversation_id)  # it does not ring ben now

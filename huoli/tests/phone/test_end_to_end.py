"""Calls end to end through the real Huoli, Kamailio and rtpengine: a caller on the telephone
network (baresip) and a visitor's browser talk with a counsellor's console in Chromium, wait in
the queue while everyone is busy, and leave no number and no address behind."""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import expect

from huoli.accounts.models import User
from huoli.accounts.services import counsellor_profile_save
from huoli.calls.models import Call, CallLine
from huoli.calls.selectors import sip_user
from huoli.calls.services import registration_note
from huoli.contacts.models import ContactRecord
from huoli.conversations.models import Conversation
from huoli.conversations.services.queue import conversation_end, conversation_take, duty_set
from huoli.conversations.services.start import conversation_start
from huoli.tests.phone.baresip import tone_seconds
from huoli.tests.phone.conftest import (
    BROWSER_HZ,
    CALLER_HZ,
    VISITOR_ENERGY,
    console_received,
    console_registered,
    in_thread,
    loudest_received_hz,
    trace_has_sound,
    visitor_page,
    wait_for,
    wait_for_audio,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TALK_SECONDS = 4


def the_call(**filters):
    return Call.objects.select_related("conversation").filter(**filters).first()


def call_ended(caller, timeout: float = 15) -> None:
    """baresip says its call is over (it keeps running until its time is up)."""
    deadline = time.monotonic() + timeout
    while "terminated" not in caller.log().lower() and "closed" not in caller.log().lower():
        assert time.monotonic() < deadline, caller.log()[-3000:]
        time.sleep(0.2)


def test_a_phone_call_rings_in_the_console_and_is_answered_with_audio_both_ways(
    demo_staff, telephony, phone_browser
):
    console = console_registered(phone_browser, telephony.url)
    panel = console.locator("[data-phone]")
    title = console.title()
    caller = telephony.trunk_call("caller", seconds=60)

    expect(panel).to_have_attribute("data-state", "ringing", timeout=20_000)
    assert console.title() == f"(1) {title}"
    invite = console_received(console)
    telephony.received.append(invite)
    assert invite.startswith("INVITE ")
    assert re.search(r"^From: \"Huoli fi\" <sip:fi@huoli\.invalid>", invite, re.M), invite
    console.get_by_role("button", name="Answer").click()
    expect(panel).to_have_attribute("data-state", "talking")
    assert not console.title().startswith("(1)")

    wait_for_audio(console)
    time.sleep(TALK_SECONDS)
    assert abs(loudest_received_hz(console) - CALLER_HZ) < 20
    # Hold and resume: the re-INVITEs go through the media relay, and the sound comes back.
    # (baresip 1.0 records nothing more after a re-INVITE: its recording ends here.)
    hold = console.get_by_role("button", name="Hold")
    hold.click()
    expect(hold).to_have_attribute("aria-pressed", "true")
    time.sleep(1)
    hold.click()
    expect(hold).to_have_attribute("aria-pressed", "false")
    before = wait_for_audio(console)
    time.sleep(1)
    assert wait_for_audio(console) > before
    assert abs(loudest_received_hz(console) - CALLER_HZ) < 20
    console.get_by_role("button", name="Hang up").click()
    expect(panel).to_have_attribute("data-state", "ended")
    call_ended(caller)

    call = wait_for(
        lambda: the_call(ended_at__isnull=False), message="the call did not end in Huoli"
    )
    assert call.source == "trunk"
    assert call.outcome == Call.Outcome.ANSWERED
    assert call.offered_at <= call.answered_at <= call.ended_at
    assert call.conversation.status == "ended"
    record = ContactRecord.objects.get(conversation=call.conversation)
    assert record.channel == ContactRecord.Channel.PHONE
    assert record.status == ContactRecord.Status.DRAFT
    assert record.started_at is not None and record.ended_at is not None
    assert record.started_at <= record.ended_at

    # The caller heard the browser's microphone, most of the time they talked.
    heard = caller.heard()
    assert heard is not None, caller.log()[-3000:]
    assert sum(tone_seconds(heard, BROWSER_HZ)) >= TALK_SECONDS - 1, caller.log()[-3000:]
    # The hold's re-INVITEs reached the caller rewritten: plain RTP, no browser's ICE.
    trace = caller.log()
    assert trace.count("INVITE sip:") >= 3, trace[-3000:]
    assert "RTP/SAVPF" not in trace and "a=candidate" not in trace
    # ... and offered only codecs every telephone has, not the browser's Opus and the rest.
    assert "opus" not in trace.lower(), trace[-3000:]
    assert "a=rtpmap:0 PCMU/8000" in trace.split("INVITE sip:")[-1]
    assert console.blocked == []
    telephony.assert_anonymous()


def answer_once_free(busy_chat, console, telephony) -> None:
    """The busy counsellor ends their chat: the waiting call rings their console, which
    answers it (what it received is kept for the anonymity check)."""
    in_thread(
        lambda: conversation_end(
            conversation=busy_chat,
            ended_by="counsellor",
            by=User.objects.get(username="counsellor"),
        )
    )
    expect(console.locator("[data-phone]")).to_have_attribute(
        "data-state", "ringing", timeout=10_000
    )
    telephony.received.append(console_received(console))
    console.get_by_role("button", name="Answer").click()


@pytest.fixture
def busy_counsellor(demo_staff):
    """The demo counsellor, the only one on duty who takes calls, at their limit: one chat
    at a time, and a chat taken. Returns the chat."""
    counsellor = User.objects.get(username="counsellor")
    profile = counsellor.counsellor_profile
    counsellor_profile_save(
        user=counsellor,
        display_name=profile.display_name,
        languages=profile.languages,
        max_chats=1,
        takes_calls=True,
    )
    duty_set(user=counsellor, on_duty=True)
    chat = conversation_start(kind="chat", language="fi").conversation
    conversation_take(counsellor=counsellor, conversation_id=chat.pk)
    return chat


def test_a_web_call_from_the_visitors_page_is_answered_in_the_console(
    demo_staff, telephony, phone_browser
):
    console = console_registered(phone_browser, telephony.url)
    panel = console.locator("[data-phone]")
    visitor = visitor_page(phone_browser, telephony.url)
    section = visitor.locator("[data-call]")
    visitor.locator("[data-call-action=call]").click()
    expect(section).to_have_attribute("data-state", "waiting")

    expect(panel).to_have_attribute("data-state", "ringing", timeout=20_000)
    telephony.received.append(console_received(console))
    console.get_by_role("button", name="Answer").click()
    expect(panel).to_have_attribute("data-state", "talking")
    expect(section).to_have_attribute("data-state", "talking")

    wait_for_audio(console)
    wait_for_audio(visitor, VISITOR_ENERGY)
    time.sleep(TALK_SECONDS / 2)
    assert abs(loudest_received_hz(console) - BROWSER_HZ) < 20
    assert abs(loudest_received_hz(visitor, "visitor") - BROWSER_HZ) < 20
    # Hold and resume between two browsers: the visitor hears the counsellor again.
    hold = console.get_by_role("button", name="Hold")
    hold.click()
    expect(hold).to_have_attribute("aria-pressed", "true")
    time.sleep(1)
    hold.click()
    expect(hold).to_have_attribute("aria-pressed", "false")
    before = wait_for_audio(visitor, VISITOR_ENERGY)
    time.sleep(1.5)
    assert wait_for_audio(visitor, VISITOR_ENERGY) > before
    assert wait_for_audio(console) > 0

    visitor.locator("[data-call-action=hangup]").click()
    expect(section).to_have_attribute("data-state", "ended")
    expect(panel).to_have_attribute("data-state", "ended")
    call = wait_for(
        lambda: the_call(ended_at__isnull=False), message="the call did not end in Huoli"
    )
    assert call.source == "web"
    assert call.caller_hash == ""
    assert call.outcome == Call.Outcome.ANSWERED
    assert call.conversation.status == "ended"
    assert console.blocked == [] and visitor.blocked == []
    telephony.assert_anonymous()


def test_a_waiting_caller_hears_the_message_and_rings_when_the_counsellor_is_free(
    busy_counsellor, telephony, phone_browser
):
    console = console_registered(phone_browser, telephony.url, go_on_duty=False)
    panel = console.locator("[data-phone]")
    caller = telephony.trunk_call("caller", seconds=60)
    call = wait_for(lambda: the_call(), message="the call did not reach Huoli")
    assert call.outcome == Call.Outcome.WAITING
    time.sleep(5)  # the queue's message; the console does not ring
    expect(panel).to_have_attribute("data-state", "registered")
    waiting = in_thread(lambda: the_call(pk=call.pk).conversation.status)
    assert waiting == Conversation.Status.QUEUED

    answer_once_free(busy_counsellor, console, telephony)
    expect(panel).to_have_attribute("data-state", "talking")
    wait_for_audio(console)
    time.sleep(TALK_SECONDS)
    console.get_by_role("button", name="Hang up").click()
    expect(panel).to_have_attribute("data-state", "ended")
    call_ended(caller)

    call = wait_for(lambda: the_call(pk=call.pk, ended_at__isnull=False))
    assert call.outcome == Call.Outcome.ANSWERED
    # Offered before the five seconds' wait above began, answered after it.
    assert (call.answered_at - call.offered_at).total_seconds() >= 5
    # What the caller heard while waiting: the message (speech), in its first seconds.
    # What the caller heard: the message (speech, not the counsellor's tone) in the first
    # seconds while waiting, then the counsellor.
    heard = caller.heard()
    assert heard is not None, caller.log()[-3000:]
    assert sum(trace_has_sound(heard, seconds=4)) >= 3
    counsellor = tone_seconds(heard, BROWSER_HZ)
    assert not any(counsellor[:4])
    assert sum(counsellor) >= TALK_SECONDS - 2
    telephony.assert_anonymous()


MESSAGE_PLAYING = """() => {
  const audio = document.querySelector("[data-call-message]");
  return audio.getAttribute("src") && !audio.paused && audio.currentTime > 0.5
    ? new URL(audio.src).pathname : "";
}"""


def page_text(page, key: str) -> str:
    """One of the call page's texts, in its language."""
    return page.locator(f'[data-call-texts] [data-key="{key}"]').text_content()


def message_playing(page, timeout: float = 10) -> str:
    """The address of the recorded message the visitor's page is playing (past its first
    half second), once it plays."""
    deadline = time.monotonic() + timeout
    while not (playing := page.evaluate(MESSAGE_PLAYING)):
        assert time.monotonic() < deadline, "the page plays no message"
        time.sleep(0.2)
    return playing


def test_a_waiting_web_caller_hears_the_queue_message_and_talks_when_the_counsellor_is_free(
    busy_counsellor, telephony, phone_browser
):
    """The web caller's page learns it is queued (182) and plays the line's queue message,
    as a telephone caller hears it from the media relay; the call rings once the counsellor
    is free, and the message stops when they talk."""
    console = console_registered(phone_browser, telephony.url, go_on_duty=False)
    panel = console.locator("[data-phone]")
    visitor = visitor_page(phone_browser, telephony.url)
    section = visitor.locator("[data-call]")
    visitor.locator("[data-call-action=call]").click()
    expect(section).to_have_attribute("data-state", "queued", timeout=15_000)
    expect(section.locator("[data-call-status]")).to_have_text(page_text(visitor, "queued"))
    assert message_playing(visitor) == "/sounds/fi/queue.wav"
    call = wait_for(lambda: the_call(), message="the call did not reach Huoli")
    assert call.source == "web" and call.outcome == Call.Outcome.WAITING
    time.sleep(3)
    expect(panel).to_have_attribute("data-state", "registered")

    answer_once_free(busy_counsellor, console, telephony)
    expect(section).to_have_attribute("data-state", "talking")
    assert visitor.evaluate("window.huoliPhone.message()") is None  # the message stopped
    wait_for_audio(console)
    wait_for_audio(visitor, VISITOR_ENERGY)
    assert abs(loudest_received_hz(visitor, "visitor") - BROWSER_HZ) < 20
    visitor.locator("[data-call-action=hangup]").click()
    expect(panel).to_have_attribute("data-state", "ended")

    call = wait_for(lambda: the_call(pk=call.pk, ended_at__isnull=False))
    assert call.outcome == Call.Outcome.ANSWERED
    # Offered before the three seconds' wait above began, answered after it: what the test
    # guarantees (the page's queued state and its message come before the call is seen).
    assert (call.answered_at - call.offered_at).total_seconds() >= 3
    assert console.blocked == [] and visitor.blocked == []
    telephony.assert_anonymous()


def test_a_web_caller_who_waited_as_long_as_the_limit_is_told_to_try_again_later(
    busy_counsellor, telephony, phone_browser
):
    """At the line's wait limit (one minute here) the page says nobody could take the call,
    offers a message or a chat, and plays the "try again later" message."""
    limit = CallLine.current()
    limit.wait_limit_minutes = 1
    limit.save()
    console_registered(phone_browser, telephony.url, go_on_duty=False)
    visitor = visitor_page(phone_browser, telephony.url)
    section = visitor.locator("[data-call]")
    visitor.locator("[data-call-action=call]").click()
    expect(section).to_have_attribute("data-state", "queued", timeout=15_000)
    started = time.monotonic()
    expect(section).to_have_attribute("data-state", "error", timeout=80_000)
    assert time.monotonic() - started >= 50
    alert = section.get_by_role("alert")
    expect(alert).to_contain_text(page_text(visitor, "later"))
    expect(alert.locator('a[href="/fi/message/"]')).to_be_visible()  # "Leave a message"
    assert message_playing(visitor) == "/sounds/fi/later.wav"
    call = wait_for(lambda: the_call(ended_at__isnull=False), message="the call did not end")
    assert call.outcome == Call.Outcome.TIMED_OUT
    telephony.assert_anonymous()


def test_a_caller_who_hangs_up_while_waiting_counts_as_abandoned(busy_counsellor, telephony):
    caller = telephony.trunk_call("caller", seconds=60)
    call = wait_for(lambda: the_call(), message="the call did not reach Huoli")
    time.sleep(2)
    caller.stop()  # baresip cancels its call as it quits

    call = wait_for(
        lambda: the_call(pk=call.pk, ended_at__isnull=False), message="the call did not end"
    )
    assert call.outcome == Call.Outcome.ABANDONED
    assert call.answered_at is None
    assert call.conversation.status == "ended"
    telephony.assert_anonymous()


def test_a_caller_waits_as_long_as_the_limit_then_hears_the_later_message(
    busy_counsellor, telephony
):
    """A call waits in one suspended transaction however long Huoli lets it (Kamailio once
    cut every waiting call off with 503 after about 36 s): with a limit of one minute, the
    caller is still waiting at 45 s, then hears "try again later" and gets 480."""
    limit = CallLine.current()
    limit.wait_limit_minutes = 1
    limit.save()
    started = time.monotonic()
    caller = telephony.trunk_call("caller", seconds=90)
    call = wait_for(lambda: the_call(), message="the call did not reach Huoli")
    time.sleep(45 - (time.monotonic() - started))
    assert "SIP/2.0 4" not in caller.log() and "SIP/2.0 5" not in caller.log()
    waiting = in_thread(lambda: the_call(pk=call.pk).conversation.status)
    assert waiting == Conversation.Status.QUEUED

    call_ended(caller, timeout=40)
    lasted = time.monotonic() - started
    caller.stop()
    trace = caller.log()
    assert "SIP/2.0 480" in trace and "SIP/2.0 503" not in trace, trace[-3000:]
    assert lasted >= 58, lasted
    call = wait_for(lambda: the_call(pk=call.pk, ended_at__isnull=False))
    assert call.outcome == Call.Outcome.TIMED_OUT
    assert call.conversation.status == "ended"
    # What the caller heard: the queue's message (7 s) once, not again at every question,
    # and the "later" message (5 s). (baresip records only the sound it receives: the
    # silence between them leaves no trace.)
    heard = caller.heard()
    assert heard is not None, trace[-3000:]
    sound = trace_has_sound(heard, seconds=200)
    assert 10 <= len(sound) <= 14, sound
    assert sum(sound) >= len(sound) - 2, sound
    telephony.assert_anonymous()


def test_a_call_ringing_nobody_registered_waits_with_the_queue_message(demo_staff, telephony):
    """Huoli rings a counsellor on duty whose softphone is no longer registered with
    Kamailio (Huoli still counts the registration as live: it lasts until it expires): the
    caller hears the queue's message (183, early media), not silence."""
    counsellor = User.objects.get(username="counsellor")
    duty_set(user=counsellor, on_duty=True)
    registration_note(sip_name=sip_user(counsellor), expires=600)
    caller = telephony.trunk_call("caller", seconds=30)
    call = wait_for(lambda: the_call(), message="the call did not reach Huoli")
    time.sleep(8)
    trace = caller.log()
    assert "SIP/2.0 183" in trace, trace[-3000:]
    assert "SIP/2.0 4" not in trace and "SIP/2.0 5" not in trace, trace[-3000:]
    assert in_thread(lambda: the_call(pk=call.pk).rang_at) is not None  # it was rung
    caller.stop()
    heard = caller.heard()
    assert heard is not None, trace[-3000:]
    assert sum(trace_has_sound(heard, seconds=5)) >= 4
    call = wait_for(lambda: the_call(pk=call.pk, ended_at__isnull=False))
    assert call.outcome == Call.Outcome.ABANDONED
    telephony.assert_anonymous()

"""A desk SIP phone (baresip) registered to the same server as the console: it registers
with the password made on the counsellor's profile page (digest, over UDP), only while they
are on duty and take calls; a call from the telephone network rings it, its answer makes the
call the counsellor's in Huoli (the phone record draft opens) and the audio goes both ways."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import expect

from huoli.accounts.models import User
from huoli.calls.models import Call
from huoli.calls.selectors import sip_user
from huoli.calls.services import desk_phone_password_make
from huoli.contacts.models import ContactRecord
from huoli.conversations.services.queue import duty_set
from huoli.tests.phone.baresip import Baresip, tone_seconds, write_tone
from huoli.tests.phone.conftest import (
    BROWSER_HZ,
    CALLER_HZ,
    VISITOR_ENERGY,
    loudest_received_hz,
    visitor_page,
    wait_for,
    wait_for_audio,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESK_HZ = BROWSER_HZ  # what the desk phone's microphone says


def desk_phone(telephony, name: str, user: User, password: str) -> Baresip:
    """baresip registering over UDP as the counsellor's SIP user, answering at once."""
    folder = telephony.folder / name
    return Baresip(
        folder,
        account=(
            f"<sip:{sip_user(user)}@127.0.0.1:{telephony.sip_port}>;auth_pass={password};"
            "regint=60;answermode=auto;audio_codecs=PCMU"
        ),
        source=write_tone(folder.parent / f"{name}-tone.wav", DESK_HZ, seconds=40),
    )


def registration(phone: Baresip, timeout: float = 10) -> str:
    """ "200 OK" or "403 Forbidden": how the phone's REGISTER ended."""
    deadline = time.monotonic() + timeout
    while True:
        log = phone.log()
        for outcome in ("200 OK", "403 Forbidden"):
            if outcome in log:
                return outcome
        assert time.monotonic() < deadline, log[-3000:]
        time.sleep(0.1)


def test_a_desk_phone_registers_with_its_password_and_answers_a_call(demo_staff, telephony):
    counsellor = User.objects.get(username="counsellor")
    assert counsellor.counsellor_profile.takes_calls
    password = desk_phone_password_make(user=counsellor)

    # Off duty: Huoli gives Kamailio no credential, whatever the password.
    early = desk_phone(telephony, "off-duty", counsellor, password).start(seconds=10)
    telephony.callers.append(early)
    assert registration(early) == "403 Forbidden"
    early.stop()

    duty_set(user=counsellor, on_duty=True)
    wrong = desk_phone(telephony, "wrong", counsellor, password[::-1]).start(seconds=10)
    telephony.callers.append(wrong)
    desk = desk_phone(telephony, "desk", counsellor, password).start(seconds=60, trace=True)
    telephony.callers.append(desk)
    assert registration(wrong) == "403 Forbidden"
    assert registration(desk) == "200 OK"
    wrong.stop()

    caller = telephony.trunk_call("caller", seconds=40)
    call = wait_for(
        lambda: (
            Call.objects.filter(answered_at__isnull=False).select_related("conversation").first()
        ),
        message="the desk phone's answer did not reach Huoli",
    )
    assert call.outcome == Call.Outcome.ANSWERED
    assert call.conversation.counsellor_id == counsellor.pk
    assert call.conversation.status == "active"
    record = ContactRecord.objects.get(conversation=call.conversation)
    assert record.channel == ContactRecord.Channel.PHONE
    assert record.status == ContactRecord.Status.DRAFT

    time.sleep(5)  # they talk
    desk.stop()  # the desk phone hangs up: its BYE ends the call in Huoli
    call = wait_for(
        lambda: Call.objects.filter(pk=call.pk, ended_at__isnull=False).first(),
        message="the desk phone's hang-up did not end the call",
    )
    assert call.outcome == Call.Outcome.ANSWERED
    assert call.answered_at <= call.ended_at

    # Audio both ways: the desk phone heard the caller, the caller heard the desk phone.
    heard = desk.heard()
    assert heard is not None, desk.log()[-3000:]
    assert sum(tone_seconds(heard, CALLER_HZ)) >= 3, desk.log()[-3000:]
    caller.stop()
    assert sum(tone_seconds(caller.heard(), DESK_HZ)) >= 3, caller.log()[-3000:]

    # What the desk phone received names no caller, as for the console.
    invite = desk.log()
    assert 'From: "Huoli fi" <sip:fi@huoli.invalid>' in invite, invite[-3000:]
    telephony.received.append(invite)
    telephony.assert_anonymous()


def test_a_web_call_rings_a_desk_phone_with_the_codecs_telephones_have(
    demo_staff, telephony, phone_browser
):
    """A visitor's "Call us" reaches a desk phone too: the browser's offer reaches it as
    plain RTP with only the codecs every telephone has (no Opus), and they hear each other."""
    counsellor = User.objects.get(username="counsellor")
    password = desk_phone_password_make(user=counsellor)
    duty_set(user=counsellor, on_duty=True)
    desk = desk_phone(telephony, "desk", counsellor, password).start(seconds=60, trace=True)
    telephony.callers.append(desk)
    assert registration(desk) == "200 OK"

    visitor = visitor_page(phone_browser, telephony.url)
    visitor.locator("[data-call-action=call]").click()
    expect(visitor.locator("[data-call]")).to_have_attribute(
        "data-state", "talking", timeout=20_000
    )
    call = wait_for(lambda: Call.objects.filter(answered_at__isnull=False).first())
    assert call.source == "web"
    assert wait_for_audio(visitor, VISITOR_ENERGY) > 0
    time.sleep(4)  # they talk
    assert abs(loudest_received_hz(visitor, "visitor") - DESK_HZ) < 20
    visitor.locator("[data-call-action=hangup]").click()
    wait_for(lambda: Call.objects.filter(pk=call.pk, ended_at__isnull=False).first())
    desk.stop()

    heard = desk.heard()
    assert heard is not None, desk.log()[-3000:]
    assert sum(tone_seconds(heard, BROWSER_HZ)) >= 2, desk.log()[-3000:]
    invite = desk.log().split("INVITE sip:")[1]
    assert "RTP/AVP" in invite and "SAVPF" not in invite and "a=candidate" not in invite
    assert "opus" not in invite.lower(), invite[:3000]
    assert "PCMU/8000" in invite
    telephony.received.append(desk.log())
    telephony.assert_anonymous()

"""A call-back end to end (issue 16): a family asks for one on the web page without
JavaScript; a counsellor takes it in the console and presses "Call"; the console's softphone
calls out through the real Kamailio and rtpengine to the operator's gateway (baresip, which
answers as the family's phone); both hear each other; the family sees the line's own number,
never the counsellor's; and once the counsellor says it reached them the number is gone from
the database, and it was never in any log."""

from __future__ import annotations

import re
import time

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from huoli.calls.models import CallbackRequest, CallLine
from huoli.conversations.models import Conversation
from huoli.tests.phone.baresip import Baresip, tone_seconds, write_tone
from huoli.tests.phone.conftest import (
    BROWSER_HZ,
    CALLER_HZ,
    GATEWAY_HOST,
    console_registered,
    database_text,
    in_thread,
    loudest_received_hz,
    wait_for,
    wait_for_audio,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FAMILY = "+358501112223"
FAMILY_FORMS = ("358501112223", "0501112223", "501112223")
LINE_NUMBER = "+35891234500"
TALK_SECONDS = 4


def line_number_set():
    line = CallLine.saved()
    line.number = LINE_NUMBER
    line.full_clean()
    line.save()


def ask_without_javascript(browser, url: str) -> None:
    context = browser.new_context(locale="en-GB", java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{url}/en/")
    page.get_by_role("link", name="Ask for a call back").click()
    page.get_by_label("Phone number").fill("050 111 2223")
    # The first time offered (the demo line is open around the clock).
    first = page.locator("select[name=time_1] option").nth(1).get_attribute("value")
    page.get_by_label("Time 1").select_option(first)
    page.get_by_role("button", name="Send request").click()
    expect(page.locator("[data-callback-status]")).to_have_attribute(
        "data-callback-status", "queued"
    )
    context.close()


def window_opened_now():
    """The time the family chose may start later today: the test does not wait for it. (The
    window's start is a past timestamp no service sets; the queue reads only this field.)"""
    Conversation.objects.filter(kind="callback").update(
        queued_from=timezone.now() - timezone.timedelta(minutes=1)
    )


def test_a_call_back_is_dialled_from_the_console_through_the_gateway_with_the_lines_number(
    demo_staff, telephony, phone_browser, tmp_path
):
    in_thread(line_number_set)
    ask_without_javascript(phone_browser, telephony.url)
    in_thread(window_opened_now)

    family = Baresip(
        tmp_path / "family",
        account=f"<sip:{FAMILY}@{GATEWAY_HOST}>;regint=0;answermode=auto;audio_codecs=PCMU",
        source=write_tone(tmp_path / "family-tone.wav", CALLER_HZ, seconds=60),
        host=GATEWAY_HOST,
        port=telephony.gateway_port,
    )
    family.start(seconds=60, trace=True)
    telephony.callers.append(family)

    console = console_registered(phone_browser, telephony.url)
    console.reload()
    console.get_by_role("button", name="Take call-back").click()
    expect(console.get_by_text("+358 50 111 2223")).to_be_visible()
    panel = console.locator("[data-phone]")
    # Each page's softphone starts anew: "Call" before it exists says calls are off (seen
    # once on a loaded machine).
    expect(panel).to_have_attribute("data-state", "registered", timeout=20_000)
    console.get_by_role("button", name="Call", exact=True).click()
    expect(panel).to_have_attribute("data-state", "talking", timeout=20_000)

    wait_for_audio(console)
    time.sleep(TALK_SECONDS)
    assert abs(loudest_received_hz(console) - CALLER_HZ) < 20
    console.get_by_role("button", name="Hang up").click()
    expect(panel).to_have_attribute("data-state", "ended")

    # The family's phone was called at its number, showing the line's number only.
    trace = family.log()
    invite = trace[trace.index("INVITE sip:") :]
    assert invite.startswith(f"INVITE sip:{FAMILY}@"), invite[:400]
    assert re.search(rf"^From: <sip:\{LINE_NUMBER}@", invite, re.M), invite[:1500]
    assert re.search(rf"^P-Asserted-Identity: <sip:\{LINE_NUMBER}@", invite, re.M)
    head = invite.split("\r\n\r\n")[0] if "\r\n\r\n" in invite else invite[:1500]
    for leak in ("staff-", "huoli.invalid", "X-Huoli", "counsellor", "callback@"):
        assert leak not in head, (leak, head)
    assert "RTP/SAVPF" not in trace and "opus" not in trace.lower()
    # ... and heard the counsellor's microphone.
    heard = family.heard_once_closed()
    assert heard is not None, trace[-3000:]
    assert sum(tone_seconds(heard, BROWSER_HZ)) >= TALK_SECONDS - 1

    # Reached: the record draft opens, the number is deleted from the database itself.
    console.get_by_role("button", name="Reached").click()
    expect(console).to_have_url(re.compile(r"/console/records/\d+/"))
    request = wait_for(
        lambda: CallbackRequest.objects.filter(outcome="reached").first(),
        message="the request was not closed",
    )
    assert request.first_attempt_at is not None and request.attempts == 1
    assert request.conversation.contact_records.get().channel == "phone"
    stored = in_thread(database_text)
    logs = telephony.logs() + "\n".join(telephony.records.lines)
    for form in FAMILY_FORMS:
        assert form not in stored, f"{form} in the database"
        assert form not in logs, f"{form} in a log"
    assert console.blocked == []

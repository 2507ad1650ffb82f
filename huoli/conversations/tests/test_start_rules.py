"""The line's rules for a new conversation, held by ``conversation_start`` itself (decision
0027), so every way in gets them: a chat only while the line is open and someone is on
duty; a written message any time; both through the flood gate while the switch is on."""

import itertools
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.cache import cache

from huoli.conversations.errors import ConversationError, StartRefused
from huoli.conversations.flood import challenge_issue, ticket_issue, work_done
from huoli.conversations.models import Conversation
from huoli.conversations.services.queue import duty_set
from huoli.conversations.services.start import StartWork, conversation_start
from huoli.helpline.models import FloodSwitch
from huoli.helpline.services import opening_hours_around_the_clock

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def on_duty(staff_factory):
    counsellor = staff_factory(role="counsellor")
    duty_set(user=counsellor, on_duty=True)
    return counsellor


@pytest.fixture
def flood_on():
    switch = FloodSwitch.current()
    switch.on, switch.bits, switch.wait_seconds = True, 8, 20
    switch.save()
    return switch


def _solved(bits: int) -> StartWork:
    challenge = challenge_issue(bits)
    nonce = next(str(n) for n in itertools.count() if work_done(challenge, str(n)) >= bits)
    return StartWork(challenge=challenge, nonce=nonce, address="192.0.2.7")


def test_a_chat_is_refused_while_the_line_is_closed(on_duty):
    with pytest.raises(StartRefused) as refused:
        conversation_start(kind="chat", language="fi")
    assert refused.value.code == "line_closed"
    assert isinstance(refused.value, ConversationError)
    assert refused.value.gate is None
    assert not Conversation.objects.exists()


def test_a_chat_is_refused_while_nobody_is_on_duty(staff_factory):
    opening_hours_around_the_clock()
    counsellor = staff_factory(role="counsellor")
    duty_set(user=counsellor, on_duty=True)
    duty_set(user=counsellor, on_duty=False)
    with pytest.raises(StartRefused) as refused:
        conversation_start(kind="chat", language="fi")
    assert refused.value.code == "nobody_on_duty"
    assert not Conversation.objects.exists()


def test_a_counsellor_on_duty_but_deactivated_does_not_open_chats(staff_factory):
    opening_hours_around_the_clock()
    counsellor = staff_factory(role="counsellor")
    duty_set(user=counsellor, on_duty=True)
    counsellor.is_active = False
    counsellor.save(update_fields=["is_active"])
    with pytest.raises(StartRefused) as refused:
        conversation_start(kind="chat", language="fi")
    assert refused.value.code == "nobody_on_duty"


def test_a_chat_starts_while_the_line_is_open_and_someone_is_on_duty(on_duty):
    opening_hours_around_the_clock()
    access = conversation_start(kind="chat", language="fi")
    assert access.conversation.status == Conversation.Status.QUEUED


def test_a_message_may_be_left_while_the_line_is_closed_and_nobody_is_on_duty():
    access = conversation_start(kind="message", language="fi", first_message="Hei")
    assert access.conversation.kind == Conversation.Kind.MESSAGE


@pytest.mark.parametrize("kind", ["chat", "message"])
def test_the_flood_gate_refuses_a_start_without_work(on_duty, flood_on, kind):
    opening_hours_around_the_clock()
    with pytest.raises(StartRefused) as refused:
        conversation_start(
            kind=kind, language="fi", first_message="Hei", work=StartWork(address="192.0.2.7")
        )
    assert refused.value.code == "flood_gate"
    # Without work the gate hands out a waiting-room ticket to come back with.
    assert not refused.value.gate.passed and refused.value.gate.ticket
    assert not Conversation.objects.exists()


@pytest.mark.parametrize("kind", ["chat", "message"])
def test_a_caller_that_brings_no_work_is_refused_without_taking_the_visitors_tickets(
    on_duty, flood_on, kind, settings
):
    """A caller with no form behind it (``work=None``: a command, a future channel) cannot
    come back with a ticket: it is refused without one, so however often it calls, the
    waiting room's places stay for the families' browsers."""
    opening_hours_around_the_clock()
    for _attempt in range(settings.HUOLI_FLOOD_TICKETS["site"] + 2):
        with pytest.raises(StartRefused) as refused:
            conversation_start(kind=kind, language="fi", first_message="Hei")
        assert refused.value.code == "flood_gate" and refused.value.gate is None
    assert ticket_issue(address="192.0.2.8") is not None
    assert not Conversation.objects.exists()


@pytest.mark.parametrize("kind", ["chat", "message"])
def test_the_flood_gate_lets_the_work_through_once(on_duty, flood_on, kind):
    opening_hours_around_the_clock()
    work = _solved(flood_on.bits)
    conversation_start(kind=kind, language="fi", first_message="Hei", work=work)
    with pytest.raises(StartRefused) as refused:
        conversation_start(kind=kind, language="fi", first_message="Hei", work=work)
    assert refused.value.code == "flood_gate"
    assert Conversation.objects.count() == 1


def test_a_closed_line_refuses_a_chat_before_the_flood_gate_counts_it(on_duty, flood_on):
    work = _solved(flood_on.bits)
    with pytest.raises(StartRefused) as refused:
        conversation_start(kind="chat", language="fi", work=work)
    assert refused.value.code == "line_closed"
    opening_hours_around_the_clock()
    # The work was not spent on the refused start.
    assert conversation_start(kind="chat", language="fi", work=work).conversation


def test_a_source_gets_no_fresh_waiting_room_places_at_midnight(settings):
    """The source's places are named with the day's key (UTC): tickets taken just before
    midnight still count just after it, until they could have expired."""
    per_source = settings.HUOLI_FLOOD_TICKETS["per_source"]
    before = datetime(2026, 12, 3, 23, 59, 50, tzinfo=UTC)
    with time_machine.travel(before, tick=False) as clock:
        for _ in range(per_source):
            assert ticket_issue(address="192.0.2.9") is not None
        assert ticket_issue(address="192.0.2.9") is None
        clock.shift(timedelta(seconds=20))  # 00:00:10, the next day
        assert ticket_issue(address="192.0.2.9") is None
        assert ticket_issue(address="192.0.2.10") is not None  # another source is not held

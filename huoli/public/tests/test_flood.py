"""The flood switch: with it on, a new chat needs the browser's proof of work or a wait in
the waiting room (which works without JavaScript); each is accepted once."""

import itertools
import re
from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.utils import timezone

from huoli.conversations.flood import challenge_issue, gate_check, leading_zero_bits, work_done
from huoli.conversations.models import Conversation
from huoli.conversations.tests.factories import open_line_with_counsellor
from huoli.core.models import AuditEntry
from huoli.helpline.models import FloodSwitch

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture(autouse=True)
def open_line(db):
    cache.clear()
    open_line_with_counsellor()
    yield
    cache.clear()


@pytest.fixture
def flood_on():
    switch = FloodSwitch.current()
    switch.on, switch.bits, switch.wait_seconds = True, 10, 20
    switch.save()
    return switch


def solve(challenge: str, bits: int) -> str:
    for n in itertools.count():
        if work_done(challenge, str(n)) >= bits:
            return str(n)


def test_leading_zero_bits():
    assert leading_zero_bits(b"\x00\x00\xff") == 16
    assert leading_zero_bits(b"\x00\x01") == 15
    assert leading_zero_bits(b"\x80") == 0
    assert leading_zero_bits(b"\x00" * 32) == 256


def test_with_the_switch_off_a_chat_starts_at_once(client):
    assert 'name="pow_challenge"' not in client.get("/en/").content.decode()
    assert client.post("/en/chat/start/", {"language": "fi"}).status_code == 302


def test_a_solved_challenge_starts_one_chat_and_cannot_be_used_again(client, flood_on):
    html = client.get("/en/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    challenge = re.search(r'name="pow_challenge" value="([^"]+)"', html).group(1)
    assert "public/pow.js" in html
    unsolved = client.post("/en/chat/start/", {"language": "fi", "pow_challenge": challenge})
    assert unsolved.status_code == 429
    assert "Please wait a moment" in unsolved.content.decode()
    wrong = next(str(n) for n in itertools.count() if work_done(challenge, str(n)) < 10)
    assert (
        client.post(
            "/en/chat/start/", {"language": "fi", "pow_challenge": challenge, "pow_nonce": wrong}
        ).status_code
        == 429
    )
    nonce = solve(challenge, 10)
    posted = {"language": "fi", "pow_challenge": challenge, "pow_nonce": nonce}
    assert client.post("/en/chat/start/", posted).status_code == 302
    assert Conversation.objects.count() == 1
    assert client.post("/en/chat/start/", posted).status_code == 429  # replayed
    assert Conversation.objects.count() == 1


def test_a_forged_or_old_challenge_is_refused(flood_on):
    challenge = challenge_issue(10)
    forged = challenge.replace(challenge.split(":")[0], challenge_issue(1).split(":")[0])
    unsolved = {"ticket": "", "wait_seconds": 20, "address": "192.0.2.1"}
    assert not gate_check(challenge=forged, nonce=solve(forged, 1), **unsolved).passed
    nonce = solve(challenge, 10)
    with time_machine.travel(timezone.now() + timedelta(minutes=11)):
        assert not gate_check(challenge=challenge, nonce=nonce, **unsolved).passed


def test_without_javascript_the_waiting_room_lets_the_chat_start_after_the_wait(client, flood_on):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        room = client.post(
            "/en/chat/start/", {"language": "en", "nickname": "M"}, HTTP_ACCEPT_LANGUAGE="en"
        )
        assert room.status_code == 429
        html = room.content.decode()
        assert "Wait 20 seconds, then press the button below." in html
        ticket = re.search(r'name="ticket" value="([^"]+)"', html).group(1)
        assert 'name="nickname" value="M"' in html
    with time_machine.travel(start + timedelta(seconds=12), tick=False):
        early = client.post(
            "/en/chat/start/",
            {"language": "en", "nickname": "M", "ticket": ticket},
            HTTP_ACCEPT_LANGUAGE="en",
        )
        assert early.status_code == 429
        assert "Please wait 8 more seconds" in early.content.decode()
        assert ticket in early.content.decode()  # the same ticket, so the wait does not restart
    with time_machine.travel(start + timedelta(seconds=21), tick=False):
        posted = {"language": "en", "nickname": "M", "ticket": ticket}
        assert client.post("/en/chat/start/", posted).status_code == 302
        assert client.post("/en/chat/start/", posted).status_code == 429  # once only
    assert Conversation.objects.get().nickname == "M"
    assert room.cookies == {}  # nothing kept about the visitor before the chat


def test_supervisors_turn_the_switch_on_and_off_from_the_console_home(client, logged_in):
    logged_in("supervisor")
    home = client.get("/console/").content.decode()
    assert "Flood protection for new chats" in home and "Turn flood protection on" in home
    client.post("/console/flood/", {"on": "1"})
    assert FloodSwitch.current().on
    assert "Turn flood protection off" in client.get("/console/").content.decode()
    client.post("/console/flood/", {"on": "0"})
    assert not FloodSwitch.current().on
    actions = AuditEntry.objects.filter(action="helpline.flood_switch").order_by("seq")
    assert [entry.data for entry in actions] == [{"on": True}, {"on": False}]


def test_counsellors_cannot_turn_the_switch(client, logged_in):
    logged_in("counsellor")
    assert "Flood protection" not in client.get("/console/").content.decode()
    assert client.post("/console/flood/", {"on": "1"}).status_code == 403
    assert not FloodSwitch.current().on


def waiting_room_ticket(response) -> str | None:
    found = re.search(r'name="ticket" value="([^"]+)"', response.content.decode())
    return found.group(1) if found else None


def test_a_script_without_work_gets_only_a_few_tickets_per_source(client, flood_on, settings):
    """Five posts without any work used to get five tickets and five chats 21 s later."""
    per_source = settings.HUOLI_FLOOD_TICKETS["per_source"]
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        rooms = [
            client.post("/en/chat/start/", {"language": "fi"}, REMOTE_ADDR="203.0.113.5")
            for _ in range(per_source + 3)
        ]
        tickets = [waiting_room_ticket(room) for room in rooms]
        assert all(tickets[:per_source]) and not any(tickets[per_source:])
        for refused in rooms[per_source:]:
            assert refused.status_code == 429
            assert "Please try again in a moment." in refused.content.decode()
        # the addresses of one IPv6 /64 are one source
        same_64 = client.post("/en/chat/start/", {"language": "fi"}, REMOTE_ADDR="2001:db8:5:5::1")
        assert waiting_room_ticket(same_64)
        for n in range(2, per_source + 1):
            client.post("/en/chat/start/", {"language": "fi"}, REMOTE_ADDR=f"2001:db8:5:5::{n}")
        assert not waiting_room_ticket(
            client.post("/en/chat/start/", {"language": "fi"}, REMOTE_ADDR="2001:db8:5:5:a::b")
        )
        clock.shift(timedelta(seconds=21))
        for ticket in tickets:
            client.post(
                "/en/chat/start/",
                {"language": "fi", "ticket": ticket or ""},
                REMOTE_ADDR="203.0.113.5",
            )
    assert Conversation.objects.count() == per_source


def test_a_spent_ticket_frees_its_place(client, flood_on, settings):
    settings.HUOLI_FLOOD_TICKETS = {**settings.HUOLI_FLOOD_TICKETS, "per_source": 1}
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        ticket = waiting_room_ticket(client.post("/en/chat/start/", {"language": "fi"}))
        assert not waiting_room_ticket(client.post("/en/chat/start/", {"language": "fi"}))
        clock.shift(timedelta(seconds=21))
        posted = {"language": "fi", "ticket": ticket}
        assert client.post("/en/chat/start/", posted).status_code == 302
        assert waiting_room_ticket(client.post("/en/chat/start/", {"language": "fi"}))


def test_unspent_tickets_are_bounded_site_wide(client, flood_on, settings):
    settings.HUOLI_FLOOD_TICKETS = {**settings.HUOLI_FLOOD_TICKETS, "site": 6}
    given = [
        waiting_room_ticket(
            client.post("/en/chat/start/", {"language": "fi"}, REMOTE_ADDR=f"198.51.100.{n}")
        )
        for n in range(1, 11)
    ]
    assert sum(1 for ticket in given if ticket) == 6
    # with JavaScript the work still gets a family in
    html = client.get("/en/").content.decode()
    challenge = re.search(r'name="pow_challenge" value="([^"]+)"', html).group(1)
    posted = {"language": "fi", "pow_challenge": challenge, "pow_nonce": solve(challenge, 10)}
    assert client.post("/en/chat/start/", posted, REMOTE_ADDR="192.0.2.9").status_code == 302


def test_new_messages_are_gated_like_new_chats(client, flood_on):
    """/message/ used to start a conversation (an Argon2 hash and a queue entry) at once."""
    for n in range(10):
        posted = {"language": "fi", "body": f"spam {n}", "client_id": f"c{n}"}
        assert client.post("/en/message/", posted).status_code == 429
    assert Conversation.objects.count() == 0
    html = client.get("/en/message/").content.decode()
    assert "public/pow.js" in html and "data-pow" in html
    challenge = re.search(r'name="pow_challenge" value="([^"]+)"', html).group(1)
    posted = {
        "language": "fi",
        "body": "Olen huolissani",
        "client_id": "m1",
        "pow_challenge": challenge,
        "pow_nonce": solve(challenge, 10),
    }
    assert client.post("/en/message/", posted).status_code == 302
    assert client.post("/en/message/", {**posted, "client_id": "m2"}).status_code == 429
    assert Conversation.objects.count() == 1


def test_without_javascript_a_new_message_waits_and_keeps_its_text(client, flood_on):
    start = timezone.now()
    posted = {"language": "fi", "body": "Poikani on muuttunut", "client_id": "w1"}
    with time_machine.travel(start, tick=False) as clock:
        room = client.post("/en/message/", posted, HTTP_ACCEPT_LANGUAGE="en")
        assert room.status_code == 429
        html = room.content.decode()
        assert "Wait 20 seconds, then press the button below." in html
        assert "Poikani on muuttunut" in html  # the text is still in the form
        ticket = waiting_room_ticket(room)
        clock.shift(timedelta(seconds=21))
        assert client.post("/en/message/", {**posted, "ticket": ticket}).status_code == 302
    conversation = Conversation.objects.get()
    assert conversation.kind == Conversation.Kind.MESSAGE
    assert room.cookies == {}


def test_with_the_switch_off_a_message_needs_no_work(client):
    assert 'name="pow_challenge"' not in client.get("/en/message/").content.decode()
    posted = {"language": "fi", "body": "Hei", "client_id": "x1"}
    assert client.post("/en/message/", posted).status_code == 302


def queued_chats() -> int:
    return Conversation.objects.filter(
        kind=Conversation.Kind.CHAT, status=Conversation.Status.QUEUED
    ).count()


def pow_post(client, path: str, posted: dict, *, address: str, bits: int = 10):
    page = "/en/" if path == "/en/chat/start/" else path  # the start form is on the home page
    html = client.get(page).content.decode()
    challenge = re.search(r'name="pow_challenge" value="([^"]+)"', html).group(1)
    posted = {**posted, "pow_challenge": challenge, "pow_nonce": solve(challenge, bits)}
    return client.post(path, posted, REMOTE_ADDR=address)


def test_one_address_waiting_without_work_cannot_fill_the_queue(client, flood_on, settings):
    """The reviewer's script: 12 rounds of "3 posts, wait 21 s, spend 3 tickets" from one
    IPv4 address filled the queue (30 chats), and the next family got "queue is full"."""
    attacker = "203.0.113.66"
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        for _round in range(12):
            tickets = [
                waiting_room_ticket(
                    client.post("/en/chat/start/", {"language": "fi"}, REMOTE_ADDR=attacker)
                )
                for _ in range(3)
            ]
            clock.shift(timedelta(seconds=21))
            for ticket in tickets:
                client.post(
                    "/en/chat/start/",
                    {"language": "fi", "ticket": ticket or ""},
                    REMOTE_ADDR=attacker,
                )
        assert queued_chats() < settings.HUOLI_MAX_QUEUE // 4
        refused = client.post("/en/chat/start/", {"language": "fi"}, REMOTE_ADDR=attacker)
        assert refused.status_code == 429
        assert int(refused["Retry-After"]) > 0
        assert "Please try again in a moment." in refused.content.decode()
        assert waiting_room_ticket(refused) is None
        family = pow_post(client, "/en/chat/start/", {"language": "fi"}, address="192.0.2.50")
        assert family.status_code == 302


def test_the_work_does_not_buy_one_source_more_than_a_few_starts(client, flood_on, settings):
    """Counted on the proof-of-work path too, chats and messages together, for an hour."""
    per_source = settings.HUOLI_FLOOD_STARTS["per_source"]
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        for _n in range(per_source - 1):
            posted = {"language": "fi"}
            assert (
                pow_post(client, "/en/chat/start/", posted, address="2001:db8:9:9::1").status_code
                == 302
            )
        message = {"language": "fi", "body": "Hei", "client_id": "s1"}
        assert (
            pow_post(client, "/en/message/", message, address="2001:db8:9:9::2").status_code == 302
        )
        refused = pow_post(client, "/en/chat/start/", {"language": "fi"}, address="2001:db8:9:9::3")
        assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
        assert "Please try again in a moment." in refused.content.decode()
        message = {"language": "fi", "body": "Poikani", "client_id": "s2"}
        refused = pow_post(client, "/en/message/", message, address="2001:db8:9:9::4")
        assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
        html = refused.content.decode()
        assert "Please try again in a moment." in html and "Poikani" in html  # text kept
        assert Conversation.objects.count() == per_source
        # another source is not affected
        other = pow_post(client, "/en/chat/start/", {"language": "fi"}, address="2001:db8:9:a::1")
        assert other.status_code == 302
        clock.shift(timedelta(seconds=2 * settings.HUOLI_FLOOD_STARTS["window"] + 1))
        again = pow_post(client, "/en/chat/start/", {"language": "fi"}, address="2001:db8:9:9::1")
        assert again.status_code == 302


def test_the_waiting_room_keeps_room_in_the_queue_for_those_who_did_the_work(
    client, flood_on, settings
):
    settings.HUOLI_MAX_QUEUE = 6
    settings.HUOLI_FLOOD_STARTS = {**settings.HUOLI_FLOOD_STARTS, "waiting_room_queue": 4}
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        addresses = [f"198.51.100.{n}" for n in range(1, 9)]
        tickets = {
            address: waiting_room_ticket(
                client.post("/en/chat/start/", {"language": "fi"}, REMOTE_ADDR=address)
            )
            for address in addresses
        }
        clock.shift(timedelta(seconds=21))
        answers = [
            client.post(
                "/en/chat/start/", {"language": "fi", "ticket": ticket or ""}, REMOTE_ADDR=address
            )
            for address, ticket in tickets.items()
        ]
        assert queued_chats() == 4
        for refused in answers[4:]:
            assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
            assert "Please try again in a moment." in refused.content.decode()
        # no ticket while the waiting room's share is full, so nobody waits for nothing
        late = client.post("/en/chat/start/", {"language": "fi"}, REMOTE_ADDR="198.51.100.99")
        assert late.status_code == 429 and waiting_room_ticket(late) is None
        for n in range(2):
            family = pow_post(client, "/en/chat/start/", {"language": "fi"}, address=f"192.0.2.{n}")
            assert family.status_code == 302
        assert queued_chats() == 6

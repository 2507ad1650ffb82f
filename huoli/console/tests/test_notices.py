"""Nothing missed (issue 18): the profile's notice settings, the events that tell a console
what arrived (never what it says), and the sockets that hear them. The browser side is in
huoli/tests/browser/test_notices.py."""

import datetime as dt

import pytest
from channels.db import database_sync_to_async
from django.utils import timezone

from huoli.accounts.models import CounsellorProfile
from huoli.console.chime import PATH, chime_wav
from huoli.console.tests.test_consumers import communicator, staff_session
from huoli.conversations.models import Conversation
from huoli.conversations.services.messages import message_post
from huoli.conversations.services.queue import conversation_end, conversation_take, duty_set
from huoli.conversations.services.start import conversation_start
from huoli.conversations.tests.factories import chat_start, open_line_with_counsellor
from huoli.core.events import QUEUE_GROUP, alerts_group
from huoli.core.roles import Role
from huoli.escalations.services import escalation_open

NEWS = ("queue.changed", "conversation.activity", "escalation.opened")


@pytest.fixture
def published(monkeypatch):
    """Every event published after commit, as (group, payload)."""
    sent = []
    monkeypatch.setattr(
        "huoli.core.events.publish", lambda group, event: sent.append((group, event.as_payload()))
    )
    return sent


def test_the_chime_is_ours_and_is_what_the_script_makes():
    assert PATH.read_bytes() == chime_wav()
    assert PATH.read_bytes()[:4] == b"RIFF"


# The profile page -------------------------------------------------------------------------


def test_counsellor_sets_sound_volume_and_desktop_notifications(client, logged_in):
    user = logged_in(Role.COUNSELLOR)
    html = client.get("/console/profile/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Play a sound" in html and 'type="range"' in html
    # The browser is asked only from this button (notify.js), never on its own.
    assert "data-permission-ask" in html
    response = client.post(
        "/console/profile/",
        {
            "display_name": "Aino",
            "languages": ["fi"],
            "max_chats": "2",
            "notify_volume": "25",
            "notify_desktop": "on",
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 302
    profile = CounsellorProfile.objects.get(user=user)
    chosen = (profile.notify_sound, profile.notify_volume, profile.notify_desktop)
    assert chosen == (False, 25, True)
    # Every console page of theirs carries the settings to notify.js.
    html = client.get("/console/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-sound="0" data-volume="25" data-desktop="1"' in html
    assert "/static/console/chime.wav" in html


@pytest.mark.parametrize("volume", ["101", "-5", "loud"])
def test_a_bad_volume_is_answered_and_nothing_is_saved(client, logged_in, volume):
    user = logged_in(Role.COUNSELLOR)
    response = client.post(
        "/console/profile/",
        {"display_name": "Aino", "languages": ["fi"], "max_chats": "2", "notify_volume": volume},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    assert 'class="field-error"' in response.content.decode()
    assert CounsellorProfile.objects.get(user=user).notify_volume == 60


def test_staff_who_do_not_counsel_get_no_notices(client, logged_in):
    logged_in(Role.ANALYST)
    html = client.get("/console/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "data-notify" not in html


# What the services publish ------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["chat", "message"])
def test_a_new_arrival_says_what_arrived_and_nothing_of_it(
    kind, published, django_capture_on_commit_callbacks
):
    open_line_with_counsellor()
    with django_capture_on_commit_callbacks(execute=True):
        conversation_start(
            kind=kind, language="ar", nickname="Secret name", first_message="Secret words"
        )
    queue_events = [payload for group, payload in published if group == QUEUE_GROUP]
    assert {"type": "queue.changed", "arrived": kind} in queue_events
    for _group, payload in published:
        if payload["type"] in NEWS:
            assert set(payload) <= {"type", "arrived", "conversation_id", "unread"}


@pytest.mark.django_db
def test_a_call_back_arrives_when_its_window_opens_and_not_when_staff_make_it(
    published, django_capture_on_commit_callbacks
):
    open_line_with_counsellor()
    later = timezone.now() + dt.timedelta(hours=2)
    with django_capture_on_commit_callbacks(execute=True):
        conversation_start(kind="callback", language="fi", queued_from=later)
        conversation_start(kind="callback", language="fi", made_by_staff=True)
    arrivals = [p["arrived"] for g, p in published if g == QUEUE_GROUP and p.get("arrived")]
    assert arrivals == []


@pytest.mark.django_db
def test_a_message_after_the_end_arrives_in_the_queue_again(
    published, django_capture_on_commit_callbacks
):
    conversation = chat_start(language="fi").conversation
    conversation_end(conversation=conversation, ended_by="visitor")
    published.clear()
    with django_capture_on_commit_callbacks(execute=True):
        message_post(conversation=conversation, sender="visitor", client_id="a", body="Back")
        message_post(conversation=conversation, sender="visitor", client_id="b", body="Again")
    conversation.refresh_from_db()
    assert conversation.status == Conversation.Status.QUEUED
    arrivals = [p.get("arrived") for g, p in published if g == QUEUE_GROUP]
    # The first message brought it back; the second is only a change of the queue.
    assert arrivals == ["message", ""]


@pytest.mark.django_db
def test_a_visitor_writing_reaches_every_console_page_of_the_counsellor(
    published, django_capture_on_commit_callbacks
):
    counsellor = open_line_with_counsellor()
    conversation = chat_start(language="fi").conversation
    conversation_take(counsellor=counsellor, conversation_id=conversation.pk)
    published.clear()
    with django_capture_on_commit_callbacks(execute=True):
        message_post(conversation=conversation, sender="visitor", client_id="a", body="Secret")
        message_post(
            conversation=conversation, sender="counsellor", author=counsellor, client_id="b",
            body="Hello",
        )  # fmt: skip
    activity = [(g, p) for g, p in published if p["type"] == "conversation.activity"]
    # Only the visitor's message: never a sound for the counsellor's own.
    assert activity == [
        (
            alerts_group(counsellor.pk),
            {"type": "conversation.activity", "conversation_id": conversation.pk, "unread": 1},
        )
    ]


@pytest.mark.django_db
def test_a_supervisor_is_not_alerted_of_their_own_escalation(
    team, staff_factory, published, django_capture_on_commit_callbacks
):
    other = staff_factory(role=Role.SUPERVISOR)
    with django_capture_on_commit_callbacks(execute=True):
        escalation_open(by=team["sara"], assessment="x")
    alerted = {g for g, p in published if p["type"] == "escalation.opened"}
    assert alerted == {alerts_group(other.pk)}


# The sockets ------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("kind", ["conversation", "notices"])
async def test_a_conversation_or_other_page_hears_arrivals_but_not_every_queue_change(kind):
    """A conversation page and any other page without its own connection (notices.js)."""
    user, key = await staff_session(role=Role.COUNSELLOR)
    await database_sync_to_async(open_line_with_counsellor)(counsellor=user)
    page = communicator(key, path=f"/console/ws/?page={kind}")
    home = communicator(key)
    assert (await page.connect(timeout=10))[0]
    assert (await home.connect(timeout=10))[0]

    access = await database_sync_to_async(conversation_start)(kind="chat", language="fi")
    assert await page.receive_json_from(timeout=5) == {"type": "queue.changed", "arrived": "chat"}
    await database_sync_to_async(duty_set)(user=user, on_duty=False)  # a plain change
    assert await page.receive_nothing(timeout=0.3)
    home_frames = [await home.receive_json_from(timeout=5) for _ in range(2)]
    assert home_frames == [
        {"type": "queue.changed", "arrived": "chat"},
        {"type": "queue.changed", "arrived": ""},
    ]
    assert access.conversation.pk
    await page.disconnect()
    await home.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_staff_who_do_not_counsel_hear_no_arrivals():
    _user, key = await staff_session(role=Role.ANALYST)
    page = communicator(key, path="/console/ws/?page=conversation")
    assert (await page.connect(timeout=10))[0]
    await database_sync_to_async(chat_start)(language="fi")
    assert await page.receive_nothing(timeout=0.3)
    await page.disconnect()


async def _watching(page, conversation_id):
    await page.send_json_to({"type": "watch", "conversation_id": conversation_id, "last_seq": 0})
    frame = await page.receive_json_from(timeout=5)
    while frame["type"] != "watching":
        frame = await page.receive_json_from(timeout=5)


@pytest.mark.django_db(transaction=True)
async def test_a_page_is_told_of_a_visitors_message_once_and_of_its_own_by_the_ack():
    """A frame less for each message (decision 0043): the page that shows the conversation
    gets the visitor's message but no ``conversation.activity`` for it (its messages tell
    it); the counsellor's other pages get the activity; the page that sent a message gets
    it in its ``ack`` and not again as an event, while the counsellor's other page showing
    the same conversation still gets the event."""
    user, key = await staff_session(role=Role.COUNSELLOR)

    def two_chats():
        open_line_with_counsellor(counsellor=user)
        chats = [chat_start(language="fi").conversation for _ in range(2)]
        for chat in chats:
            conversation_take(counsellor=user, conversation_id=chat.pk)
        return chats

    shown, other = await database_sync_to_async(two_chats)()
    page = communicator(key, path="/console/ws/?page=conversation")
    twin = communicator(key, path="/console/ws/?page=conversation")  # a second tab of it
    elsewhere = communicator(key, path="/console/ws/?page=conversation")
    home = communicator(key)
    for socket in (page, twin, elsewhere, home):
        assert (await socket.connect(timeout=10))[0]
    await _watching(page, shown.pk)
    await _watching(twin, shown.pk)
    await _watching(elsewhere, other.pk)

    await database_sync_to_async(message_post)(
        conversation=shown, sender="visitor", client_id="v1", body="Hei"
    )
    heard = await page.receive_json_from(timeout=5)
    assert (heard["type"], heard["client_id"]) == ("conversation.message", "v1")
    assert await page.receive_nothing(timeout=0.3)
    activity = {"type": "conversation.activity", "conversation_id": shown.pk, "unread": 1}
    assert await elsewhere.receive_json_from(timeout=5) == activity
    assert await home.receive_json_from(timeout=5) == activity
    assert (await twin.receive_json_from(timeout=5))["client_id"] == "v1"

    frame = {"type": "message", "conversation_id": shown.pk, "client_id": "c1", "body": "Moi"}
    await page.send_json_to(frame)
    ack = await page.receive_json_from(timeout=5)
    assert (ack["type"], ack["client_id"], ack["seq"]) == ("ack", "c1", 2)
    assert (ack["message"]["type"], ack["message"]["body"]) == ("conversation.message", "Moi")
    assert await page.receive_nothing(timeout=0.3)
    assert await twin.receive_json_from(timeout=5) == ack["message"]
    for socket in (elsewhere, home):
        assert await socket.receive_nothing(timeout=0.1)
    for socket in (page, twin, elsewhere, home):
        await socket.disconnect()

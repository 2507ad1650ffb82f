"""The visitor's language travels with the conversation: counsellors who speak it see it
first and get a chat in it first; when nobody on duty speaks it the visitor is told, and a
written message is answered with an interpreter's help."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone, translation

from huoli.conversations.errors import ConversationError
from huoli.conversations.models import Conversation
from huoli.conversations.selectors import queue_offered_to
from huoli.conversations.services.queue import conversation_take, duty_set
from huoli.conversations.services.start import conversation_start
from huoli.conversations.tests.factories import chat_start, open_line_with_counsellor
from huoli.core.roles import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def team():
    """The line open, a Finnish and an Arabic speaker on duty."""
    finnish = open_line_with_counsellor(languages=["fi", "en"])
    arabic = open_line_with_counsellor(languages=["ar", "en"])
    return finnish, arabic


def test_a_chat_in_arabic_is_offered_first_to_the_arabic_speaker(team):
    finnish, arabic = team
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        first = chat_start(language="fi").conversation
    with time_machine.travel(start + timedelta(seconds=5), tick=False):
        in_arabic = chat_start(language="ar").conversation
        rows = queue_offered_to(arabic)
        assert [r.conversation for r in rows] == [in_arabic, first]  # theirs first
        assert rows[0].speaks and rows[0].held_until is None
        theirs = queue_offered_to(finnish)
        assert [r.conversation for r in theirs] == [first, in_arabic]
        assert theirs[1].held_until == in_arabic.created_at + timedelta(seconds=60)
        with pytest.raises(ConversationError) as held, translation.override("en"):
            conversation_take(counsellor=finnish, conversation_id=in_arabic.pk)
        assert held.value.code == "offered_to_speaker" and "Arabic" in str(held.value)
    with time_machine.travel(start + timedelta(seconds=70), tick=False):
        assert queue_offered_to(finnish)[1].held_until is None  # the minute has passed
        taken = conversation_take(counsellor=finnish, conversation_id=in_arabic.pk)
        assert taken.counsellor == finnish


def test_nothing_is_held_when_the_speaker_has_no_room(team):
    finnish, arabic = team
    for _ in range(2):  # the speaker's limit
        busy = chat_start(language="en").conversation
        conversation_take(counsellor=arabic, conversation_id=busy.pk)
    in_arabic = chat_start(language="ar").conversation
    assert conversation_take(counsellor=finnish, conversation_id=in_arabic.pk).counsellor == finnish


def test_a_visitor_whose_language_nobody_on_duty_speaks_is_told_and_offered_ways_on(client, team):
    page = client.post("/en/chat/start/", {"language": "so", "nickname": "Hooyo"})
    html = page.content.decode()
    assert "No counsellor who speaks Somali is on duty right now." in html
    assert "Start the chat in English" in html and "Start the chat in Finnish" in html
    assert 'href="/en/message/?language=so"' in html
    assert Conversation.objects.count() == 0  # nothing started yet
    chosen = client.post(
        "/en/chat/start/", {"language": "en", "nickname": "Hooyo", "language_confirmed": "1"}
    )
    assert chosen.status_code == 302
    assert Conversation.objects.get().language == "en"


def test_a_chat_in_a_spoken_language_starts_at_once(client, team):
    assert client.post("/en/chat/start/", {"language": "ar"}).status_code == 302
    assert Conversation.objects.get().language == "ar"


def test_a_message_in_a_language_nobody_speaks_is_marked_for_an_interpreter(client, team):
    form = client.get("/so/message/?language=so").content.decode()
    assert '<option value="so" selected>' in form
    client.post(
        "/so/message/", {"body": "Wiilkayga", "language": "so", "client_id": "c1", "nickname": ""}
    )
    conversation = Conversation.objects.get()
    assert conversation.interpreter_needed and conversation.language == "so"
    page = client.get("/en/conversation/").content.decode()
    assert "We answer you with the help of an interpreter" in page
    client.cookies.clear()
    client.post(
        "/ar/message/", {"body": "ابني", "language": "ar", "client_id": "c2", "nickname": ""}
    )
    assert not Conversation.objects.get(language="ar").interpreter_needed


def test_the_console_queue_shows_the_language_and_who_speaks_it(client, logged_in):
    user = logged_in(Role.COUNSELLOR)
    profile = user.counsellor_profile
    profile.languages = ["fi", "ar"]
    profile.save()
    duty_set(user=user, on_duty=True)
    chat_start(language="ar")
    conversation_start(kind="message", language="so", first_message="x", interpreter_needed=True)
    html = client.get("/console/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Arabic" in html and "You speak it" in html
    assert "Somali" in html and "Interpreter needed" in html

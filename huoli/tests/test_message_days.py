"""A written message exchange runs over days: a message's time says its day when it is not
today (in the line's time zone), on the visitor's page and in the console alike, or an
answer written the next morning reads as if it came before the question (issue 21, point 5:
one rule everywhere). Today's messages keep hh:mm alone, as a chat shows them."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from huoli.conversations.models import Conversation, Message
from huoli.conversations.tests.factories import conversation_taken, messages_posted
from huoli.core.roles import Role

pytestmark = pytest.mark.django_db

TIME = re.compile(r'<time datetime="([^"]+)">([^<]*)</time>')


def _exchange(client, counsellor) -> Conversation:
    """A message left the evening before yesterday, answered now."""
    client.post(
        "/en/message/",
        {"body": "Poikani on muuttunut", "client_id": "c1", "language": "fi", "nickname": ""},
    )
    conversation = Conversation.objects.get()
    taken = conversation_taken(conversation_id=conversation.pk, counsellor=counsellor)
    messages_posted(
        conversation=taken, messages=[("counsellor", "Kiitos viestistä")], counsellor=counsellor
    )
    evening = timezone.localtime().replace(hour=21, minute=5, second=0, microsecond=0)
    Message.objects.filter(conversation=conversation, seq=1).update(
        created_at=evening - dt.timedelta(days=2)
    )
    return conversation


def _expected(message: Message) -> str:
    local = timezone.localtime(message.created_at)
    if local.date() == timezone.localdate():
        return local.strftime("%H:%M")
    return f"{local.day}.{local.month}. {local.strftime('%H:%M')}"


def test_an_earlier_days_message_shows_its_day_on_both_pages(client, logged_in):
    counsellor = logged_in(Role.COUNSELLOR)
    conversation = _exchange(client, counsellor)
    messages = list(conversation.messages.order_by("seq"))
    expected = [_expected(m) for m in messages]
    assert re.fullmatch(r"\d{1,2}\.\d{1,2}\. 21:05", expected[0])
    assert re.fullmatch(r"\d\d:\d\d", expected[1])

    visitor_page = client.get("/en/conversation/").content.decode()
    console_page = client.get(f"/console/conversations/{conversation.pk}/").content.decode()
    for name, html in (("visitor", visitor_page), ("console", console_page)):
        shown = [text for _moment, text in TIME.findall(html)]
        assert shown == expected, name

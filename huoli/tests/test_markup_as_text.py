"""Markup typed by visitors, counsellors or administrators shows as text on every page that
displays it: messages, nicknames, record and case texts, service names."""

import pytest
from django.conf import settings

from huoli.contacts.models import ContactRecord
from huoli.contacts.services import case_create_for_record
from huoli.conversations.services.messages import message_post
from huoli.conversations.services.queue import conversation_take, duty_set
from huoli.conversations.tests.factories import chat_start
from huoli.core.roles import Role
from huoli.directory.models import Service

pytestmark = pytest.mark.django_db

ATTACK = '<script>alert("x")</script><img src=x onerror=alert(1)>'
ESCAPED = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;"


def test_markup_is_shown_as_text_everywhere(client, logged_in):
    counsellor = logged_in(Role.COUNSELLOR)
    access = chat_start(language="en", nickname=ATTACK[:40])
    duty_set(user=counsellor, on_duty=True)
    conversation = conversation_take(counsellor=counsellor, conversation_id=access.conversation.pk)
    message_post(conversation=conversation, sender="visitor", client_id="a", body=ATTACK)
    record = ContactRecord.objects.get(conversation=conversation)
    record.summary = ATTACK
    record.save()
    case = case_create_for_record(record=record, by=counsellor, title=ATTACK)
    service = Service.objects.get(key="family-counselling-clinic")
    service.name_en = ATTACK
    service.save()

    pages = {
        "conversation": client.get(f"/console/conversations/{conversation.pk}/"),
        "record": client.get(f"/console/records/{record.pk}/"),
        "case": client.get(f"/console/cases/{case.number}/"),
        "cases": client.get("/console/cases/"),
        "directory": client.get(
            "/console/directory/results/", {"q": "perhe"}, HTTP_ACCEPT_LANGUAGE="en"
        ),
    }
    visitor = client.__class__()
    visitor.cookies[settings.HUOLI_VISITOR_COOKIE] = access.token
    pages["visitor"] = visitor.get("/en/conversation/", HTTP_ACCEPT_LANGUAGE="en")
    pages["services"] = visitor.get("/en/services/", {"q": "perhe"}, HTTP_ACCEPT_LANGUAGE="en")
    for name, response in pages.items():
        html = response.content.decode()
        assert response.status_code == 200, name
        assert "<script>alert" not in html and "<img src=x" not in html, name
    for name in ("conversation", "record", "visitor", "directory", "services"):
        assert ESCAPED in pages[name].content.decode() or "&lt;script&gt;" in (
            pages[name].content.decode()
        ), name

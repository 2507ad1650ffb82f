"""Transfer, end, flag, join and escalate through the console's views: the page offers what
``core.policy`` allows, the service refuses the rest (decision 0029), and the view shows the
refusal on the conversation's page as before."""

import pytest

from huoli.accounts.tests.factories import StaffFactory
from huoli.contacts.models import ContactRecord
from huoli.conversations.models import Conversation
from huoli.conversations.services.queue import conversation_end, conversation_join, duty_set
from huoli.conversations.tests.factories import chat_taken
from huoli.core.roles import Role
from huoli.escalations.models import Escalation

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def url(conversation, action=""):
    return f"/console/conversations/{conversation.pk}/{action + '/' if action else ''}"


def fresh(conversation) -> Conversation:
    return Conversation.objects.get(pk=conversation.pk)


def test_a_joined_supervisor_cannot_transfer_the_chat(client, logged_in):
    aino, ben = StaffFactory(role=Role.COUNSELLOR), StaffFactory(role=Role.COUNSELLOR)
    chat = chat_taken(counsellor=aino).conversation
    duty_set(user=ben, on_duty=True)
    sara = logged_in(Role.SUPERVISOR)
    conversation_join(conversation_id=chat.pk, supervisor=sara)
    response = client.post(url(chat, "transfer"), {"to": ben.pk})
    assert response.status_code == 302 and response["Location"] == url(chat)
    assert "Not allowed" in client.get(url(chat)).content.decode()
    assert fresh(chat).counsellor == aino


def test_the_counsellor_answering_transfers_it(client, logged_in):
    aino = logged_in(Role.COUNSELLOR)
    ben = StaffFactory(role=Role.COUNSELLOR)
    chat = chat_taken(counsellor=aino).conversation
    duty_set(user=ben, on_duty=True)
    assert client.post(url(chat, "transfer"), {"to": ben.pk})["Location"] == "/console/"
    assert fresh(chat).counsellor == ben


def test_a_counsellor_who_does_not_answer_it_cannot_end_it(client, logged_in):
    chat = chat_taken(counsellor=StaffFactory(role=Role.COUNSELLOR)).conversation
    logged_in(Role.COUNSELLOR)
    assert client.post(url(chat, "end")).status_code == 404
    assert fresh(chat).status == Conversation.Status.ACTIVE


def test_the_counsellor_answering_ends_it_and_goes_on_to_the_record(client, logged_in):
    aino = logged_in(Role.COUNSELLOR)
    chat = chat_taken(counsellor=aino).conversation
    record = ContactRecord.objects.get(conversation=chat, counsellor=aino)
    assert client.post(url(chat, "end"))["Location"] == f"/console/records/{record.pk}/"
    assert fresh(chat).status == Conversation.Status.ENDED


def test_an_ended_chat_is_no_longer_flagged_by_its_counsellor(client, logged_in):
    aino = logged_in(Role.COUNSELLOR)
    chat = chat_taken(counsellor=aino).conversation
    conversation_end(conversation=chat, ended_by="counsellor", by=aino)
    response = client.post(url(chat, "flag"), {"reason": "automated"}, follow=True)
    assert "Only the counsellor answering it or a supervisor can flag it." in (
        response.content.decode()
    )
    assert fresh(chat).flagged_at is None


def test_a_supervisor_joins_once(client, logged_in):
    chat = chat_taken(counsellor=StaffFactory(role=Role.COUNSELLOR)).conversation
    sara = logged_in(Role.SUPERVISOR)
    assert client.post(url(chat, "join"))["Location"] == url(chat)
    assert fresh(chat).supervisor == sara
    again = client.post(url(chat, "join"), follow=True)
    assert "Not allowed" in again.content.decode()


def test_a_counsellor_cannot_join(client, logged_in):
    chat = chat_taken(counsellor=StaffFactory(role=Role.COUNSELLOR)).conversation
    logged_in(Role.COUNSELLOR)
    assert client.post(url(chat, "join")).status_code == 403
    assert fresh(chat).supervisor_id is None


def test_the_alert_goes_out_when_the_visitor_ended_the_chat_while_it_was_written(client, logged_in):
    """The visitor leaves while the counsellor writes the assessment: the alert still goes
    out (decision 0029), though the page no longer offers the button."""
    aino = logged_in(Role.COUNSELLOR)
    chat = chat_taken(counsellor=aino).conversation
    assert "Alert the supervisors" in client.get(url(chat)).content.decode()
    conversation_end(conversation=chat, ended_by="visitor")
    response = client.post(url(chat, "escalate"), {"assessment": "Uhka"}, follow=True)
    assert "Escalation opened: the supervisors were alerted." in response.content.decode()
    assert Escalation.objects.get().conversation == chat


def test_the_counsellor_answering_escalates_the_chat(client, logged_in):
    aino = logged_in(Role.COUNSELLOR)
    chat = chat_taken(counsellor=aino).conversation
    response = client.post(url(chat, "escalate"), {"assessment": "Uhka"}, follow=True)
    assert "Escalation opened: the supervisors were alerted." in response.content.decode()
    assert Escalation.objects.get().conversation == chat

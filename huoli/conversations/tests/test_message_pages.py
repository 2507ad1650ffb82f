"""A conversation page shows its latest messages, and earlier ones a page at a time: no page
load reads and decrypts a whole history, which a visitor can make as long as they like
(``selectors.messages_before``). The visitor's page and the console's, without JavaScript."""

import re

import pytest
from django.core.cache import cache

from huoli.accounts.tests.factories import StaffFactory
from huoli.cases.services import case_counsellor_add, case_create
from huoli.contacts.models import ContactRecord
from huoli.contacts.services import case_create_for_record
from huoli.conversations import selectors
from huoli.conversations.models import Conversation
from huoli.conversations.tests.factories import chat_taken, conversation_taken, messages_posted
from huoli.core.models import AuditEntry
from huoli.core.roles import Role

pytestmark = pytest.mark.django_db

PER_PAGE = 3


@pytest.fixture(autouse=True)
def three_a_page(monkeypatch):
    monkeypatch.setattr(selectors, "MESSAGES_PER_PAGE", PER_PAGE)
    cache.clear()
    yield
    cache.clear()


def shown(html: str) -> list[int]:
    """The seqs of the messages on the page, in its order."""
    return [int(seq) for seq in re.findall(r'<li class="message [a-z]+" data-seq="(\d+)"', html)]


def earlier_link(html: str) -> str | None:
    found = re.search(r'<p class="earlier"><a href="([^"]+)">', html)
    return found.group(1) if found else None


def a_visitor_with_messages(client, count: int) -> Conversation:
    """A visitor's written message and ``count - 1`` more, alternating with a counsellor's."""
    client.post(
        "/en/message/",
        {"body": "kirje-1.", "client_id": "c1", "language": "fi", "nickname": ""},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    counsellor = StaffFactory(role=Role.COUNSELLOR)
    conversation = conversation_taken(
        conversation_id=Conversation.objects.get().pk, counsellor=counsellor
    )
    messages_posted(
        conversation=conversation,
        messages=[
            ("counsellor" if n % 2 else "visitor", f"kirje-{n}.") for n in range(2, count + 1)
        ],
        counsellor=counsellor,
    )
    return conversation


def test_the_visitors_page_shows_the_latest_and_earlier_ones_a_page_at_a_time(client):
    a_visitor_with_messages(client, 7)
    html = client.get("/en/conversation/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert shown(html) == [5, 6, 7]
    assert "kirje-4." not in html and "kirje-7." in html
    assert "data-send-form" in html  # the live page
    assert earlier_link(html) == "/en/conversation/?before=5"

    pages = []
    link = earlier_link(html)
    while link:
        page = client.get(link, HTTP_ACCEPT_LANGUAGE="en")
        assert page.status_code == 200
        assert "no-store" in page["Cache-Control"]
        html = page.content.decode()
        assert "Earlier messages" in html
        assert 'href="/en/conversation/">Back to the conversation' in html
        # Nothing to write or send from a page of earlier messages.
        assert "data-send-form" not in html and "data-chat" not in html
        pages.append(shown(html))
        link = earlier_link(html)
    assert pages == [[2, 3, 4], [1]]


def test_a_conversation_of_one_page_has_no_earlier_link(client):
    a_visitor_with_messages(client, PER_PAGE)
    html = client.get("/en/conversation/").content.decode()
    assert shown(html) == [1, 2, 3]
    assert earlier_link(html) is None


@pytest.mark.parametrize("before", ["abc", "-1", "0", "1e3", "\u0665", "9" * 40, ""])
def test_a_before_that_names_no_seq_shows_the_latest(client, before):
    a_visitor_with_messages(client, 5)
    page = client.get(f"/en/conversation/?before={before}")
    assert page.status_code == 200
    html = page.content.decode()
    assert shown(html) == [3, 4, 5]
    assert "data-send-form" in html  # the live page, not a page of earlier ones


def test_a_seq_beyond_the_last_shows_the_latest_page_as_earlier(client):
    a_visitor_with_messages(client, 5)
    html = client.get("/en/conversation/?before=1000").content.decode()
    assert shown(html) == [3, 4, 5]
    assert "data-send-form" not in html


def test_before_the_first_message_there_are_no_earlier_ones(client):
    a_visitor_with_messages(client, 5)
    html = client.get("/en/conversation/?before=1").content.decode()
    assert shown(html) == []
    assert "No earlier messages." in html and earlier_link(html) is None


def test_earlier_messages_are_only_for_the_browser_that_holds_the_conversation(client):
    """Another browser, or this one after leaving, gets no messages of anyone's."""
    from django.test import Client

    a_visitor_with_messages(client, 7)
    stranger = Client()
    page = stranger.get("/en/conversation/?before=5")
    assert page.status_code == 404
    assert "kirje-" not in page.content.decode()
    client.get("/en/exit/")  # the quick exit forgets the conversation on this device
    page = client.get("/en/conversation/?before=5")
    assert page.status_code == 404
    assert "kirje-" not in page.content.decode()


def console_url(conversation, before=None):
    query = f"?before={before}" if before is not None else ""
    return f"/console/conversations/{conversation.pk}/{query}"


def test_the_console_page_shows_the_latest_and_earlier_ones_a_page_at_a_time(client, logged_in):
    aino = logged_in(Role.COUNSELLOR)
    chat = chat_taken(
        counsellor=aino,
        messages=[("visitor" if n % 2 else "counsellor", f"kirje-{n}.") for n in range(1, 8)],
    ).conversation
    html = client.get(console_url(chat), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert shown(html) == [5, 6, 7]
    assert earlier_link(html) == console_url(chat, 5)
    html = client.get(console_url(chat, 5), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert shown(html) == [2, 3, 4]
    assert f'href="{console_url(chat)}">Back to the conversation' in html
    assert "data-send-form" not in html and "data-console-chat" not in html
    html = client.get(earlier_link(html), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert shown(html) == [1]
    assert earlier_link(html) is None
    # Every page of it is a read of the conversation in the audit log, as the page is.
    reads = AuditEntry.objects.filter(action="conversation.read", object_id=str(chat.pk))
    assert reads.count() == 3


def test_earlier_messages_need_the_right_to_the_conversation(client, logged_in):
    chat = chat_taken(
        counsellor=StaffFactory(role=Role.COUNSELLOR),
        messages=[("visitor", f"kirje-{n}.") for n in range(1, 8)],
    ).conversation
    logged_in(Role.COUNSELLOR)  # another counsellor: not theirs to read
    page = client.get(console_url(chat, 5))
    assert page.status_code == 404
    assert "kirje-" not in page.content.decode()
    client.post("/console/logout/")
    page = client.get(console_url(chat, 5))
    assert page.status_code == 302 and "/login/" in page["Location"]


@pytest.mark.parametrize("before", ["abc", "0", "-3", "\u0665"])
def test_on_the_console_a_before_that_names_no_seq_shows_the_live_page(client, logged_in, before):
    aino = logged_in(Role.COUNSELLOR)
    chat = chat_taken(
        counsellor=aino, messages=[("visitor", f"kirje-{n}.") for n in range(1, 6)]
    ).conversation
    html = client.get(console_url(chat, before), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert shown(html) == [3, 4, 5]
    assert "data-console-chat" in html


UNREAD_EARLIER = "Some messages you have not read yet are earlier than the ones shown here."


def test_the_counsellor_is_told_when_unread_messages_are_earlier_than_the_page(client, logged_in):
    """The page marks what it shows as seen; unread ones above it are not lost silently."""
    aino = logged_in(Role.COUNSELLOR)
    chat = chat_taken(
        counsellor=aino, messages=[("visitor", f"kirje-{n}.") for n in range(1, 8)]
    ).conversation
    html = client.get(console_url(chat), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert shown(html) == [5, 6, 7]
    assert UNREAD_EARLIER in html
    # Seen up to the one before the page: nothing unread above it.
    Conversation.objects.filter(pk=chat.pk).update(counsellor_seen_seq=4)
    html = client.get(console_url(chat), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert UNREAD_EARLIER not in html
    Conversation.objects.filter(pk=chat.pk).update(counsellor_seen_seq=3)
    html = client.get(console_url(chat), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert UNREAD_EARLIER in html


def test_only_the_counsellor_answering_is_told_of_unread_earlier_messages(client, logged_in):
    chat = chat_taken(
        counsellor=StaffFactory(role=Role.COUNSELLOR),
        messages=[("visitor", f"kirje-{n}.") for n in range(1, 8)],
    ).conversation
    logged_in(Role.SUPERVISOR)
    html = client.get(console_url(chat), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert shown(html) == [5, 6, 7]
    assert UNREAD_EARLIER not in html


def a_case_with_a_long_chat(counsellor):
    """A case made from ``counsellor``'s chat of seven messages: (case, its record)."""
    chat = chat_taken(
        counsellor=counsellor,
        messages=[("visitor" if n % 2 else "counsellor", f"kirje-{n}.") for n in range(1, 8)],
    ).conversation
    record = ContactRecord.objects.get(conversation=chat)
    return case_create_for_record(record=record, by=counsellor), record


def test_a_case_page_shows_each_contacts_latest_messages_and_earlier_ones_a_page_at_a_time(
    client, logged_in
):
    """The case's other counsellor may read its records but not open their conversations:
    the earlier messages are a page of the case's."""
    aino = StaffFactory(role=Role.COUNSELLOR)
    case, record = a_case_with_a_long_chat(aino)
    ben = logged_in(Role.COUNSELLOR)
    case_counsellor_add(case=case, by=aino, counsellor=ben)
    case_url = f"/console/cases/{case.number}/"
    html = client.get(case_url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert case_messages(html) == ["kirje-5.", "kirje-6.", "kirje-7."]
    link = earlier_link(html)
    assert link == f"/console/cases/{case.number}/records/{record.pk}/messages/?before=5"
    assert client.get(console_url(record.conversation, 5)).status_code == 404  # not Ben's
    page = client.get(link, HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    html = page.content.decode()
    assert case_messages(html) == ["kirje-2.", "kirje-3.", "kirje-4."]
    assert f'href="{case_url}">Back to the case' in html
    html = client.get(earlier_link(html), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert case_messages(html) == ["kirje-1."] and earlier_link(html) is None
    reads = AuditEntry.objects.filter(actor_id=ben.pk, action="case.read", object_id=case.number)
    assert reads.count() == 3


def test_a_cases_messages_need_the_right_to_the_case_and_the_record(client, logged_in):
    aino = StaffFactory(role=Role.COUNSELLOR)
    case, record = a_case_with_a_long_chat(aino)
    _other_case, other_record = a_case_with_a_long_chat(aino)
    logged_in(Role.COUNSELLOR)  # not on the case
    url = f"/console/cases/{case.number}/records/{record.pk}/messages/?before=5"
    page = client.get(url)
    assert page.status_code == 404 and "kirje-" not in page.content.decode()
    client.logout()
    supervisor = logged_in(Role.SUPERVISOR)
    assert client.get(url).status_code == 200
    reads = AuditEntry.objects.filter(actor_id=supervisor.pk, action="case.read")
    assert reads.count() == 1
    # A record of another case, or none, under this case's number: nothing, and no read of
    # the case in the audit log (nothing of it was shown).
    for record_id in (other_record.pk, 999999):
        wrong = f"/console/cases/{case.number}/records/{record_id}/messages/"
        page = client.get(wrong)
        assert page.status_code == 404 and "kirje-" not in page.content.decode()
    assert reads.count() == 1
    client.post("/console/logout/")
    page = client.get(url)
    assert page.status_code == 302 and "/login/" in page["Location"]


def test_a_counsellors_own_record_in_a_case_they_are_not_on_shows_nothing_there(client, logged_in):
    """The record is theirs (``records_scope``), the case is not (``cases_scope``): its
    pages are the case's, so nothing."""
    aino = logged_in(Role.COUNSELLOR)
    chat = chat_taken(
        counsellor=aino, messages=[("visitor", f"kirje-{n}.") for n in range(1, 5)]
    ).conversation
    record = ContactRecord.objects.get(conversation=chat)
    ben = StaffFactory(role=Role.COUNSELLOR)
    case = case_create(by=ben)
    ContactRecord.objects.filter(pk=record.pk).update(case=case)  # linked by someone else
    url = f"/console/cases/{case.number}/records/{record.pk}/messages/"
    assert client.get(url).status_code == 404
    assert client.get(console_url(chat)).status_code == 200  # their own conversation


def case_messages(html: str) -> list[str]:
    return re.findall(r'<span class="body" dir="auto">(kirje-\d+\.)</span>', html)

"""The console's list of conversations (issue 18, point 3): who reaches it, what it shows
(metadata, never what was written), filters kept in the URL, clear errors for bad filters,
and the audit: listing is no read, opening one is."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from huoli.accounts.tests.factories import StaffFactory
from huoli.contacts.models import ContactRecord
from huoli.contacts.services import case_create_for_record
from huoli.conversations.tests.factories import chat_taken
from huoli.core.models import AuditEntry
from huoli.core.roles import Role

pytestmark = pytest.mark.django_db

URL = "/console/conversations/"
SECRET = "My son has changed a lot this year"


@pytest.fixture(autouse=True)
def english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def rows(html: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'data-conversation-row="(\d+)"', html)]


def reads() -> list[tuple[int, str]]:
    return list(
        AuditEntry.objects.filter(action="conversation.read").values_list("actor_id", "object_id")
    )


def test_the_menu_leads_counsellors_and_supervisors_to_it(client, logged_in):
    logged_in(Role.COUNSELLOR)
    html = client.get("/console/").content.decode()
    assert f'<a href="{URL}">Conversations</a>' in html


@pytest.mark.parametrize("role", [Role.ANALYST, Role.ADMINISTRATOR])
def test_analysts_and_administrators_do_not_reach_it(client, logged_in, role):
    logged_in(role)
    assert client.get(URL).status_code == 403
    assert f'<a href="{URL}">' not in client.get("/console/").content.decode()


def test_metadata_is_listed_never_the_texts_and_listing_is_not_a_read(client, logged_in):
    aino = logged_in(Role.COUNSELLOR)
    chat = chat_taken(
        counsellor=aino, language="ar", messages=[("visitor", SECRET), ("counsellor", "Hello")]
    ).conversation
    case = case_create_for_record(record=ContactRecord.objects.get(conversation=chat), by=aino)
    html = client.get(URL).content.decode()
    assert rows(html) == [chat.pk]
    row = re.search(r"<tr data-conversation-row.*?</tr>", html, re.S).group(0)
    assert f'href="/console/conversations/{chat.pk}/">Chat {chat.pk}</a>' in row
    for shown in ("Active", "Arabic", aino.display_name, str(case), "<td>2</td>"):
        assert shown in row
    assert SECRET not in html and "Hello" not in row
    assert reads() == []

    assert client.get(f"/console/conversations/{chat.pk}/").status_code == 200
    assert reads() == [(aino.pk, str(chat.pk))]


def test_an_empty_list_says_what_will_be_here(client, logged_in):
    logged_in(Role.COUNSELLOR)
    html = client.get(URL).content.decode()
    assert "No conversations yet." in html and "<table" not in html
    html = client.get(URL, {"language": "so"}).content.decode()
    assert "No conversation matches these filters." in html


def test_a_counsellor_who_filters_by_a_colleague_gets_an_error_and_nothing(client, logged_in):
    aino = logged_in(Role.COUNSELLOR)
    ben = StaffFactory(role=Role.COUNSELLOR)
    chat_taken(counsellor=ben, messages=[("visitor", SECRET)])
    mine = chat_taken(counsellor=aino).conversation
    html = client.get(URL, {"counsellor": ben.pk}).content.decode()
    assert rows(html) == []
    assert "Select a valid choice." in html and SECRET not in html
    assert ben.display_name not in html  # a counsellor is offered only themselves
    assert rows(client.get(URL, {"counsellor": aino.pk}).content.decode()) == [mine.pk]


def test_a_supervisor_filters_by_counsellor_and_case(client, logged_in):
    logged_in(Role.SUPERVISOR)
    aino, ben = StaffFactory(role=Role.COUNSELLOR), StaffFactory(role=Role.COUNSELLOR)
    first = chat_taken(counsellor=aino).conversation
    second = chat_taken(counsellor=ben).conversation
    case = case_create_for_record(record=ContactRecord.objects.get(conversation=second), by=ben)
    assert rows(client.get(URL).content.decode()) == [second.pk, first.pk]
    assert rows(client.get(URL, {"counsellor": aino.pk}).content.decode()) == [first.pk]
    assert rows(client.get(URL, {"case": str(case)}).content.decode()) == [second.pk]


@pytest.mark.parametrize(
    ("query", "error"),
    [
        ({"started_from": "2026-13-40"}, "Enter a valid date."),
        # Dates a database cannot hold once moved to UTC or a day on (a 500 before).
        ({"started_from": "0001-01-01"}, "Enter a valid date."),
        ({"started_to": "9999-12-31"}, "Enter a valid date."),
        ({"started_from": "2026-03-02", "started_to": "2026-03-01"}, "The end date is before"),
        ({"status": "deleted"}, "Select a valid choice."),
        ({"kind": "<script>"}, "Select a valid choice."),
        ({"language": "xx"}, "Select a valid choice."),
        ({"counsellor": "abc"}, "Select a valid choice."),
        ({"case": "ABC-DEFG"}, "Enter a case number as it is written"),
        ({"case": "x" * 200}, "Ensure this value has at most 12 characters"),
        ({"flagged": "maybe"}, "Select a valid choice."),
        ({"page": "-1"}, None),
        ({"page": "many"}, None),
    ],
)
def test_bad_filters_get_a_clear_answer_never_a_500(client, logged_in, query, error):
    aino = logged_in(Role.COUNSELLOR)
    chat = chat_taken(counsellor=aino).conversation
    response = client.get(URL, query)
    assert response.status_code == 200
    html = response.content.decode()
    if error:
        assert error in html and rows(html) == []
        assert "Correct the filters above" in html
    else:
        assert rows(html) == [chat.pk]


def test_pages_are_newest_first_and_keep_the_filters(client, logged_in):
    aino = logged_in(Role.COUNSELLOR)
    # Written messages: a counsellor answers any number of them at once.
    chats = [
        chat_taken(counsellor=aino, kind="message", language="fi").conversation for _ in range(27)
    ]
    chat_taken(counsellor=aino, kind="message", language="sv")
    first = client.get(URL, {"language": "fi"}).content.decode()
    assert rows(first) == [c.pk for c in reversed(chats)][:25]
    assert "Page 1 of 2" in first
    assert 'href="?language=fi&amp;page=2">Older</a>' in first
    second = client.get(URL, {"language": "fi", "page": "2"}).content.decode()
    assert rows(second) == [chats[1].pk, chats[0].pk]
    assert 'href="?language=fi&amp;page=1">Newer</a>' in second


def test_the_page_queries_stay_the_same_whatever_its_length(client, logged_in):
    logged_in(Role.SUPERVISOR)

    def chat_in_a_case():
        chat = chat_taken(counsellor=StaffFactory(role=Role.COUNSELLOR)).conversation
        record = ContactRecord.objects.get(conversation=chat)
        case_create_for_record(record=record, by=chat.counsellor)

    def queries_for_the_page(expected_rows: int) -> int:
        with CaptureQueriesContext(connection) as queries:
            html = client.get(URL).content.decode()
        assert len(rows(html)) == expected_rows
        return len(queries)

    chat_in_a_case()
    client.get(URL)  # the session settles
    one = queries_for_the_page(1)
    for _ in range(11):
        chat_in_a_case()
    assert queries_for_the_page(12) == one

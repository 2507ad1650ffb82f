"""The visitor's pages without JavaScript: start, write, return with the code, leave
(the promises cited are in docs/design.md)."""

import re

import pytest
from django.core.cache import cache

from huoli.accounts.tests.factories import StaffFactory
from huoli.conversations.models import Conversation, Feedback, Message
from huoli.conversations.tests.factories import (
    conversation_taken,
    messages_posted,
    open_line_with_counsellor,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def clean_cache():
    cache.clear()
    yield
    cache.clear()


def leave_message(client, body="Poikani on muuttunut", client_id="c1"):
    return client.post(
        "/en/message/",
        {"body": body, "client_id": client_id, "language": "fi", "nickname": ""},
        HTTP_ACCEPT_LANGUAGE="en",
    )


def shown_code(client) -> str:
    html = client.get("/en/conversation/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    return re.search(r'data-code="(\d{16})"', html).group(1)


def test_pages_before_a_conversation_set_no_cookie(client):
    for url in ("/en/", "/en/message/", "/en/return/"):
        response = client.get(url)
        assert response.cookies == {}, url


def test_leaving_a_message_sets_one_strict_cookie_and_shows_the_code(client):
    response = leave_message(client)
    assert response.status_code == 302
    cookie = response.cookies["huoli_visitor"]
    assert cookie["httponly"] and cookie["samesite"] == "Strict" and cookie["path"] == "/"
    assert not cookie["max-age"]
    page = client.get("/en/conversation/", HTTP_ACCEPT_LANGUAGE="en")
    assert "no-store" in page["Cache-Control"]
    html = page.content.decode()
    assert "Poikani on muuttunut" in html
    assert 'aria-label="Your return code"' in html


def test_a_resent_form_is_stored_once(client):
    leave_message(client)
    for _ in range(2):
        client.post("/en/conversation/send/", {"body": "Lisää", "client_id": "same"})
    assert Message.objects.filter(body__isnull=False).count() == 2


def test_the_answer_is_read_with_the_return_code_on_another_device(client, django_user_model):
    leave_message(client)
    code = shown_code(client)
    aino = StaffFactory(first_name="Aino")
    waiting = Conversation.objects.get()
    conversation = conversation_taken(conversation_id=waiting.pk, counsellor=aino)
    messages_posted(
        conversation=conversation, messages=[("counsellor", "Kiitos viestistä")], counsellor=aino
    )

    from django.test import Client

    other = Client()
    assert other.get("/en/conversation/").status_code == 404
    wrong = other.post("/en/return/", {"code": "1111 2222 3333 4444"}, HTTP_ACCEPT_LANGUAGE="en")
    assert wrong.status_code == 400
    assert "could not find a conversation" in wrong.content.decode()
    right = other.post("/en/return/", {"code": f"{code[:4]} {code[4:]}"})
    assert right.status_code == 302
    html = other.get("/en/conversation/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Kiitos viestistä" in html
    # The code is not shown again on the other device.
    assert "data-code=" not in html


def test_guessing_codes_is_throttled(client, settings):
    settings.HUOLI_RETURN_CODE_LIMITS = {**settings.HUOLI_RETURN_CODE_LIMITS, "source_attempts": 3}
    statuses = [
        client.post("/en/return/", {"code": f"{i:016d}"}, HTTP_ACCEPT_LANGUAGE="en").status_code
        for i in range(5)
    ]
    assert statuses == [400, 400, 400, 429, 429]


def test_a_post_from_another_site_is_refused(client):
    response = client.post(
        "/en/message/",
        {"body": "x", "client_id": "a", "language": "fi"},
        HTTP_ORIGIN="https://evil.example",
    )
    assert response.status_code == 403
    assert not Conversation.objects.exists()


def test_an_over_long_message_gets_a_clear_answer_and_nothing_is_saved(client):
    response = client.post(
        "/en/message/",
        {"body": "x" * 4001, "client_id": "a", "language": "fi"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert "at most 4000 characters" in response.content.decode()
    assert not Conversation.objects.exists()


def test_chat_is_offered_only_when_open_and_someone_is_on_duty(client):
    html = client.get("/en/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Start chat" not in html and "Leave a message" in html
    refused = client.post("/en/chat/start/", {"language": "fi"}, HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 409
    assert "The chat is closed right now" in refused.content.decode()

    open_line_with_counsellor()
    html = client.get("/en/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Start chat" in html
    started = client.post("/en/chat/start/", {"language": "en", "nickname": "M"})
    assert started.status_code == 302
    assert Conversation.objects.get().kind == "chat"


def test_quick_exit_forgets_the_conversation_and_leaves_for_a_neutral_site(client):
    """Promise 1: the exit forgets the conversation on this device and sends the tab to a
    neutral site (a default until administrators choose), telling it nothing about us."""
    leave_message(client)
    response = client.get("/en/exit/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 302
    assert response["Location"] == "https://www.foreca.fi/"
    assert response["Referrer-Policy"] == "no-referrer"
    assert "no-store" in response["Cache-Control"]
    assert response.cookies["huoli_visitor"].value == ""


def test_quick_exit_goes_where_the_administrators_chose(client):
    from huoli.helpline.models import QuickExit

    row = QuickExit.saved()
    row.destination = "https://yle.fi/uutiset"
    row.full_clean()
    row.save()
    assert client.get("/ar/exit/")["Location"] == "https://yle.fi/uutiset"


def test_quick_exit_destination_must_be_https():
    from django.core.exceptions import ValidationError

    from huoli.helpline.models import QuickExit

    for unsafe in ("javascript:alert(1)", "http://example.com/", "/en/"):
        with pytest.raises(ValidationError):
            QuickExit(pk=1, destination=unsafe).full_clean()


def test_quick_exit_works_while_the_database_is_away(client, monkeypatch):
    from django.db import OperationalError

    from huoli.helpline.models import QuickExit

    def away(cls):
        raise OperationalError("database is locked")

    monkeypatch.setattr(QuickExit, "current", classmethod(away))
    assert client.get("/en/exit/")["Location"] == "https://www.foreca.fi/"


def test_the_quick_exit_link_sends_no_referrer_and_the_safety_page_says_what_it_cannot_hide(
    client,
):
    home = client.get("/en/").content.decode()
    assert 'href="/en/exit/" rel="noreferrer" data-quick-exit' in home
    safety = client.get("/en/info/safety/").content.decode()
    assert "What a quick exit cannot hide" in safety
    assert "browser history" in safety


def test_every_public_page_has_the_quick_exit(client):
    leave_message(client)
    for url in ("/en/", "/en/message/", "/en/return/", "/en/conversation/"):
        assert "data-quick-exit" in client.get(url).content.decode(), url


def test_after_a_return_in_another_browser_the_first_one_cannot_send(client):
    from django.test import Client

    leave_message(client)
    code = shown_code(client)
    other = Client()
    assert other.post("/fi/return/", {"code": code}).status_code == 302
    refused = client.post(
        "/fi/conversation/send/", {"body": "Vanhasta selaimesta", "client_id": "old"}
    )
    assert refused.status_code == 409
    html = refused.content.decode()
    assert "Viestiäsi ei lähetetty" in html  # in the visitor's language
    assert "Vanhasta selaimesta" in html  # the text is given back, not lost
    assert [m.body for m in Message.objects.all()] == ["Poikani on muuttunut"]
    sent = other.post("/fi/conversation/send/", {"body": "Uudesta", "client_id": "new"})
    assert sent.status_code == 302
    assert Message.objects.filter(client_id="new").exists()


def test_a_blocked_conversation_never_comes_back_through_the_visitor_pages(client, counsellor):
    from huoli.conversations.services.queue import conversation_flag

    leave_message(client)
    code = shown_code(client)
    conversation = Conversation.objects.get()
    conversation_flag(conversation=conversation, by=counsellor, reason="threats", block_code=True)
    sent = client.post("/en/conversation/send/", {"body": "Again", "client_id": "again"})
    assert sent.status_code == 409
    assert "Your message was not sent" in sent.content.decode()
    assert client.post("/en/conversation/feedback/", {"answer": "yes"}).status_code == 404
    assert client.post("/en/conversation/end/").status_code == 404
    returned = client.post("/en/return/", {"code": code}, HTTP_ACCEPT_LANGUAGE="en")
    assert "This conversation is closed." in returned.content.decode()
    conversation.refresh_from_db()
    assert conversation.status == "ended" and conversation.code_blocked_at is not None
    assert [m.body for m in conversation.messages.all()] == ["Poikani on muuttunut"]
    assert not Feedback.objects.exists()

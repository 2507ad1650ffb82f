"""The conversation page offers each canned response with the languages it has, the
visitor's first; one without the visitor's language is still offered, and marked."""

import re

import pytest

from huoli.conversations.models import CannedResponse, CannedText
from huoli.conversations.services.queue import conversation_end
from huoli.conversations.tests.factories import chat_taken
from huoli.core.roles import Role

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def canned(title: str, **texts: str) -> CannedResponse:
    """As an administrator writes it in the admin (no service makes canned responses)."""
    response = CannedResponse.objects.create(title=title)
    for language, text in texts.items():
        CannedText.objects.create(response=response, language=language, text=text)
    return response


def offered(html: str) -> list[tuple[str, list[str]]]:
    """(title, languages of its buttons in order) for each response on the page."""
    rows = []
    for item in re.findall(r"<li data-canned-response>(.*?)</li>", html, re.S):
        title = re.search(r'data-canned-language="\w+">([^<]+)</button>', item).group(1)
        languages = re.findall(
            r'class="canned-language[^"]*"[^>]*data-canned-language="(\w+)"', item
        )
        rows.append((title, languages))
    return rows


def test_the_visitor_language_comes_first(client, logged_in):
    aino = logged_in(Role.COUNSELLOR)
    canned("Greeting", fi="Hei", en="Hello", ar="مرحبا")
    canned("Closing", fi="Kiitos", en="Thank you")
    chat = chat_taken(counsellor=aino, language="ar").conversation
    html = client.get(f"/console/conversations/{chat.pk}/").content.decode()
    assert offered(html) == [("Closing", ["en", "fi"]), ("Greeting", ["ar", "en", "fi"])]
    closing, greeting = re.findall(r"<li data-canned-response>(.*?)</li>", html, re.S)
    # The title inserts the visitor's language, or else English, and says so.
    assert 'data-canned="مرحبا" data-canned-language="ar">Greeting<' in greeting
    assert "Not in Arabic" not in greeting
    assert 'data-canned="Thank you" data-canned-language="en">Closing<' in closing
    assert "Not in Arabic" in closing
    assert 'aria-label="Greeting in Arabic"' in greeting
    assert "The visitor's language: Arabic." in html


def test_a_finnish_visitor_gets_finnish_first_a_swedish_one_english_without_swedish(
    client, logged_in
):
    aino = logged_in(Role.COUNSELLOR)
    canned("Greeting", en="Hello", ar="مرحبا", fi="Hei")
    chat = chat_taken(counsellor=aino, language="fi").conversation
    html = client.get(f"/console/conversations/{chat.pk}/").content.decode()
    assert offered(html) == [("Greeting", ["fi", "en", "ar"])]
    chat = chat_taken(counsellor=aino, language="sv").conversation
    html = client.get(f"/console/conversations/{chat.pk}/").content.decode()
    assert offered(html) == [("Greeting", ["en", "fi", "ar"])]
    assert "Not in Swedish" in html


def test_no_canned_responses_for_someone_who_does_not_write(client, logged_in):
    aino = logged_in(Role.COUNSELLOR)
    canned("Greeting", fi="Hei")
    chat = chat_taken(counsellor=aino, language="fi").conversation
    conversation_end(conversation=chat, ended_by="counsellor", by=aino)
    html = client.get(f"/console/conversations/{chat.pk}/").content.decode()
    assert "data-canned" not in html


def test_the_admin_edits_a_response_with_a_text_per_language(client, logged_in):
    logged_in(Role.ADMINISTRATOR)
    form = {
        "title": "Greeting",
        "order": "1",
        "active": "on",
        "texts-TOTAL_FORMS": "2",
        "texts-INITIAL_FORMS": "0",
        "texts-MIN_NUM_FORMS": "1",
        "texts-MAX_NUM_FORMS": "1000",
        "texts-0-language": "ar",
        "texts-0-text": "مرحبا",
        "texts-1-language": "ar",
        "texts-1-text": "أهلا",
    }
    url = "/console/admin/conversations/cannedresponse/add/"
    response = client.post(url, form)
    assert response.status_code == 200 and not CannedResponse.objects.exists()
    assert "Please correct the duplicate data for language" in response.content.decode()
    form["texts-1-language"] = "so"
    form["texts-1-text"] = "Salaan"
    assert client.post(url, form).status_code == 302
    response = CannedResponse.objects.get()
    assert dict(response.texts.values_list("language", "text")) == {"ar": "مرحبا", "so": "Salaan"}

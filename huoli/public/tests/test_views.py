import re

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("fi", "Huoli on auttava puhelin"),
        ("sv", "Huoli är en stödlinje"),
        ("en", "Huoli is a helpline for families and friends."),
    ],
)
def test_home_page_speaks_the_visitor_language(client, language, text):
    response = client.get(f"/{language}/")
    assert response.status_code == 200
    assert text in response.content.decode()


def test_home_page_sets_no_cookie_and_loads_nothing_from_elsewhere(client):
    response = client.get("/en/")
    assert response.cookies == {}
    assert "Set-Cookie" not in response
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    html = response.content.decode()
    # The only absolute addresses are the page's own, in every language, for search engines
    # (canonical, alternates: links nothing loads).
    addresses = re.findall(r"https?://[^\s\"'<>]*", html)
    links = re.findall(
        r'<link rel="(?:canonical|alternate)" (?:hreflang="[^"]+" )?href="(http://testserver/[^"]*)">',
        html,
    )
    assert len(links) == 12 and sorted(links) == sorted(addresses), addresses
    assert response["Referrer-Policy"] == "same-origin"


def test_an_unknown_page_gets_a_clear_translated_404(client):
    response = client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404
    assert "There is nothing here." in response.content.decode()


def test_an_address_without_a_language_goes_to_the_browsers_language(client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="ar,en;q=0.5")
    assert response.status_code == 302 and response["Location"] == "/ar/"
    assert client.get("/message/", HTTP_ACCEPT_LANGUAGE="ru")["Location"] == "/ru/message/"
    assert client.get("/", HTTP_ACCEPT_LANGUAGE="de")["Location"] == "/fi/"  # the default
    assert response.cookies == {}  # the choice lives in the address, not in a cookie


def test_the_switcher_names_each_language_in_itself_and_keeps_the_page(client):
    html = client.get("/fi/return/").content.decode()
    assert '<a href="/ar/return/" lang="ar" hreflang="ar" dir="rtl">العربية</a>' in html
    assert (
        '<a href="/fi/return/" lang="fi" hreflang="fi" dir="ltr" aria-current="page">suomi</a>'
        in html
    )
    assert '<a href="/so/return/" lang="so" hreflang="so" dir="ltr">Soomaali</a>' in html


def test_the_home_page_says_when_nobody_on_duty_speaks_the_visitors_language(client):
    """Issue 21, point 18: an Arabic visitor learns it on the home page, with the choices the
    start-chat page offers (a chat in a language someone on duty speaks, or a message in
    Arabic answered later), not only after pressing "Start chat"."""
    from huoli.conversations.tests.factories import open_line_with_counsellor

    open_line_with_counsellor(languages=["fi", "en"])
    html = client.get("/ar/").content.decode()
    assert "data-language-unspoken" in html
    assert "The chat is open and a counsellor is available." not in html
    for code in ("en", "fi"):
        assert f'<input type="hidden" name="language" value="{code}">' in html
    assert 'name="language_confirmed" value="1"' in html
    assert 'href="/ar/message/?language=ar"' in html
    # The start-chat page offers the same choices.
    started = client.post("/ar/chat/start/", {"language": "ar", "nickname": ""})
    assert 'href="/ar/message/?language=ar"' in started.content.decode()


def test_the_home_page_offers_the_chat_when_someone_on_duty_speaks_the_language(client):
    from huoli.conversations.tests.factories import open_line_with_counsellor

    open_line_with_counsellor(languages=["ar", "en"])
    html = client.get("/ar/").content.decode()
    assert "data-language-unspoken" not in html
    assert "language_confirmed" not in html
    english = client.get("/en/").content.decode()
    assert "The chat is open and a counsellor is available." in english
    assert "data-language-unspoken" not in english


def test_the_home_page_offers_only_a_message_when_nobody_on_duty_speaks_english_or_finnish(
    client,
):
    from huoli.conversations.tests.factories import open_line_with_counsellor

    open_line_with_counsellor(languages=["sv"])
    html = client.get("/en/").content.decode()
    assert "data-language-unspoken" in html
    assert "language_confirmed" not in html
    assert "You can leave a message in your own language that is answered later." in html

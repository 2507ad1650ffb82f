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
    assert "http://" not in html
    assert "https://" not in html
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

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
    response = client.get("/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    assert text in response.content.decode()


def test_home_page_sets_no_cookie_and_loads_nothing_from_elsewhere(client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en")
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

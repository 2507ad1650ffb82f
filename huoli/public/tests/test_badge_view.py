"""The partner badge's image as partners' websites load it: the same for everyone, no cookie,
cached, loadable from another site."""

import pytest

from huoli.outreach.selectors import badge_svg

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("language", ["fi", "ar", "ckb"])
def test_the_badge_is_served_to_any_site_without_a_cookie(client, language):
    response = client.get(
        f"/badge/{language}.svg",
        HTTP_REFERER="https://school.example/parents/",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml; charset=utf-8"
    # In the address's language, whatever the browser prefers.
    assert response.content.decode() == badge_svg(language)
    assert response["Content-Language"] == language
    assert set(response["Cache-Control"].split(", ")) == {"public", "max-age=604800"}
    assert response["Cross-Origin-Resource-Policy"] == "cross-origin"
    assert not response.cookies
    assert "Set-Cookie" not in response


def test_a_language_huoli_does_not_speak_has_no_badge(client):
    assert client.get("/badge/de.svg").status_code == 404
    assert client.get("/badge/fi.png").status_code == 404
    assert client.post("/badge/fi.svg").status_code == 405

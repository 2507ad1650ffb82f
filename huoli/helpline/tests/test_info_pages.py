"""Information pages: seeded in every public language, edited by administrators (edits are
kept), shown in the visitor's language or, when missing, in English with a note; their plain
text becomes safe HTML."""

import pytest
from django.conf import settings

from huoli.helpline.info import render_body
from huoli.helpline.info_defaults import PAGES, seed_info_pages
from huoli.helpline.models import InfoPage

pytestmark = pytest.mark.django_db


def test_every_page_exists_in_every_public_language():
    pairs = set(InfoPage.objects.values_list("slug", "language"))
    assert pairs == {(slug, code) for slug, _order in PAGES for code, _name in settings.LANGUAGES}


def test_the_safety_page_explains_the_escalation_rules_in_every_language():
    for page in InfoPage.objects.filter(slug="safety"):
        assert "112" in page.body, page.language
        assert page.body.count("\n- ") >= 3, page.language  # the three exceptions


def test_an_administrators_edit_is_kept_when_the_defaults_are_seeded_again(client):
    page = InfoPage.objects.get(slug="signs", language="fi")
    page.body = "Oma teksti.\n\n## Otsikko\n\n- yksi\n- kaksi"
    page.save()
    seed_info_pages(InfoPage)
    html = client.get("/fi/info/signs/").content.decode()
    assert "<p>Oma teksti.</p>" in html
    assert "<h2>Otsikko</h2>" in html and "<ul><li>yksi</li><li>kaksi</li></ul>" in html


def test_a_page_missing_in_a_language_shows_in_english_with_a_note(client):
    InfoPage.objects.filter(slug="talking", language="so").delete()
    html = client.get("/so/info/talking/").content.decode()
    assert '<article lang="en" dir="ltr">' in html and "Talking with them" in html
    assert "This page is not yet available in your language" not in html  # it is translated
    assert client.get("/so/info/no-such-page/").status_code == 404


def test_markup_in_a_page_is_shown_as_text():
    html = render_body("<script>alert(1)</script>\n\n## <b>x</b>\n\n- <i>y</i>")
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<h2>&lt;b&gt;x&lt;/b&gt;</h2>" in html and "<li>&lt;i&gt;y&lt;/i&gt;</li>" in html


def test_administrators_edit_the_pages_in_the_console(client, logged_in):
    logged_in("administrator")
    listing = client.get("/console/admin/helpline/infopage/?language=ar").content.decode()
    assert "علامات تستحق الانتباه" in listing
    page = InfoPage.objects.get(slug="contact", language="ar")
    url = f"/console/admin/helpline/infopage/{page.pk}/change/"
    form = client.get(url).content.decode()
    assert 'name="body"' in form
    response = client.post(
        url,
        {
            "slug": "contact",
            "language": "ar",
            "order": 3,
            "title": "ماذا يحدث",
            "summary": "",
            "body": "نص جديد",
        },
    )
    assert response.status_code == 302
    assert "نص جديد" in client.get("/ar/info/contact/").content.decode()


def test_headings_and_lists_follow_the_line_they_start_on():
    html = render_body("## Otsikko\nTeksti.\nToinen rivi.\n- yksi\n- kaksi\nLoppu.")
    assert html == (
        "<h2>Otsikko</h2>\n<p>Teksti.<br>Toinen rivi.</p>\n"
        "<ul><li>yksi</li><li>kaksi</li></ul>\n<p>Loppu.</p>"
    )

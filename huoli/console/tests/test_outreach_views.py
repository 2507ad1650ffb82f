"""Partner materials in the console: administrators only, every language and format, the
campaign code carried into the files and the badge, downloads audited."""

import pytest

from huoli.core.models import AuditEntry
from huoli.core.roles import Role
from huoli.helpline.models import LineNumber
from huoli.outreach.models import Campaign
from huoli.outreach.tests.pdfs import pages

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
LANGUAGES = ["fi", "sv", "en", "ar", "so", "ru", "et", "fa", "ckb", "uk"]
KINDS = ["poster-a4", "poster-a3", "leaflet-a5", "cards"]


@pytest.fixture
def numbers(db):
    LineNumber.objects.create(number="+358 800 123 456")
    Campaign.objects.create(code="koulu", name="Schools")
    Campaign.objects.create(code="vanha", name="Last year", active=False)


@pytest.mark.parametrize("role", [Role.COUNSELLOR, Role.SUPERVISOR, Role.ANALYST])
def test_only_administrators_get_the_materials(client, logged_in, numbers, role):
    logged_in(role)
    assert client.get("/console/materials/", **EN).status_code == 403
    assert client.get("/console/materials/so/poster-a4.pdf", **EN).status_code == 403
    assert "/console/materials/" not in client.get("/console/", **EN).content.decode()


def test_the_page_lists_every_language_and_format(client, logged_in, numbers):
    logged_in(Role.ADMINISTRATOR)
    home = client.get("/console/", **EN).content.decode()
    assert '<a href="/console/materials/">Partner materials</a>' in home
    html = client.get("/console/materials/", **EN).content.decode()
    for language in LANGUAGES:
        for kind in KINDS:
            assert f'href="/console/materials/{language}/{kind}.pdf"' in html
            assert f">huoli-{kind}-{language}.pdf</a>" in html
        assert f'id="snippet-{language}"' in html
        assert f'src="/badge/{language}.svg"' in html
    # The badge's HTML, escaped in its box, links the plain front page.
    assert "&lt;a href=&quot;http://testserver/so/&quot;" in html
    # Only active campaigns are offered.
    assert '<option value="koulu">koulu \u2013 Schools</option>' in html
    assert "vanha" not in html


def test_a_chosen_campaign_goes_into_every_link_and_snippet(client, logged_in, numbers):
    logged_in(Role.ADMINISTRATOR)
    html = client.get("/console/materials/", {"c": "koulu"}, **EN).content.decode()
    assert 'href="/console/materials/so/cards.pdf?c=koulu"' in html
    assert ">huoli-cards-so-koulu.pdf</a>" in html
    assert "&lt;a href=&quot;http://testserver/ar/?c=koulu&quot;" in html
    assert '<option value="koulu" selected>' in html


def test_a_download_is_a_named_pdf_and_audited(client, logged_in, numbers):
    admin = logged_in(Role.ADMINISTRATOR)
    response = client.get("/console/materials/so/poster-a4.pdf", {"c": "koulu"}, **EN)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        'attachment; filename="huoli-poster-a4-so-koulu.pdf"'
    )
    ((width, height, text),) = pages(response.content)
    assert (round(width), round(height)) == (595, 842)
    assert "+358 800 123 456" in text and "Na soo wac" in text  # "Call us" in Somali
    plain = client.get("/console/materials/so/cards.pdf", **EN)
    assert plain["Content-Disposition"] == 'attachment; filename="huoli-cards-so.pdf"'
    entries = AuditEntry.objects.filter(actor_id=admin.pk, action="outreach.materials_downloaded")
    assert [(e.object_id, e.data) for e in entries.order_by("seq")] == [
        ("poster-a4", {"language": "so", "campaign": "koulu"}),
        ("cards", {"language": "so", "campaign": ""}),
    ]


def test_unknown_or_inactive_campaigns_formats_and_languages_are_not_found(
    client, logged_in, numbers
):
    logged_in(Role.ADMINISTRATOR)
    for url, query in (
        ("/console/materials/so/poster-a4.pdf", {"c": "vanha"}),
        ("/console/materials/so/poster-a4.pdf", {"c": "nope"}),
        ("/console/materials/so/poster-a5.pdf", {}),
        ("/console/materials/de/poster-a4.pdf", {}),
    ):
        assert client.get(url, query, **EN).status_code == 404, (url, query)
    assert not AuditEntry.objects.filter(action="outreach.materials_downloaded").exists()
    # An unknown campaign on the page is a form error, and the links stay plain.
    html = client.get("/console/materials/", {"c": "nope"}, **EN).content.decode()
    assert "Select a valid choice." in html
    assert 'href="/console/materials/so/cards.pdf"' in html


def test_without_numbers_the_page_says_to_set_them_first(client, logged_in):
    logged_in(Role.ADMINISTRATOR)
    html = client.get("/console/materials/", **EN).content.decode()
    assert "Set the line's numbers first." in html
    assert 'href="/console/admin/helpline/linenumber/"' in html
    assert ".pdf" not in html
    # The badge needs no number.
    assert 'id="snippet-fi"' in html
    response = client.get("/console/materials/fi/poster-a4.pdf", **EN)
    assert response.status_code == 302 and response["Location"] == "/console/materials/"
    # The message, escaped as every message is.
    again = client.get("/console/materials/", **EN).content.decode()
    assert "Set the line&#x27;s numbers first." in again


def test_a_language_with_its_own_number_only_has_files_for_that_language(client, logged_in):
    LineNumber.objects.create(number="+358 9 876 5432", language="ar")
    logged_in(Role.ADMINISTRATOR)
    html = client.get("/console/materials/", **EN).content.decode()
    assert 'href="/console/materials/ar/poster-a4.pdf"' in html
    assert 'href="/console/materials/fi/poster-a4.pdf"' not in html
    assert "No number for this language." in html

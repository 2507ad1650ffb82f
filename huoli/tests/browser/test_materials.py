"""An administrator gets partner materials in a real browser: chooses a campaign with the
keyboard, downloads the Somali poster (whose QR code opens the Somali front page with the
code) and copies a badge's HTML."""

import pytest
from playwright.sync_api import expect

from huoli.helpline.models import LineNumber
from huoli.outreach.models import Campaign
from huoli.outreach.tests.pdfs import pages, qr_codes
from huoli.tests.browser.test_chat import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_administrator_downloads_a_somali_poster_and_copies_a_badge(
    demo_staff, asgi_server, browser, csp_violations
):
    LineNumber.objects.create(number="+358 800 123 456")
    Campaign.objects.get_or_create(code="koulu", defaults={"name": "Koulut"})  # demo data has it
    url = asgi_server.url
    context = browser.new_context(locale="en-GB", accept_downloads=True)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=url)
    page = csp_violations(context.new_page())
    log_in(page, url, "admin")

    page.get_by_role("link", name="Partner materials").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Partner materials", exact=True)).to_be_visible()
    campaign = page.get_by_label("Campaign code")
    campaign.focus()
    campaign.select_option("koulu")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Show")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{url}/console/materials/?c=koulu")

    poster = page.get_by_role("link", name="huoli-poster-a4-so-koulu.pdf")
    with page.expect_download() as download:
        poster.focus()
        page.keyboard.press("Enter")
    assert download.value.suggested_filename == "huoli-poster-a4-so-koulu.pdf"
    content = download.value.path().read_bytes()
    ((width, height, text),) = pages(content)
    assert (round(width), round(height)) == (595, 842)
    assert "+358 800 123 456" in text and "Na soo wac" in text
    (address,) = qr_codes(content)
    assert address == f"{url}/so/?c=koulu"

    # Every badge's image loads.
    for image in page.locator(".partner-badge-image").all():
        assert image.evaluate("img => img.complete && img.naturalWidth > 0")
    badge = page.locator("[data-badge=ar]")
    name = "Huoli \u2013 خطّ مساعدة للعائلات القلقة"
    expect(badge.get_by_role("img")).to_have_attribute("alt", name)
    badge.get_by_role("button", name="Copy the HTML").click()
    expect(badge.get_by_role("status")).to_have_text("Copied.")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == badge.get_by_label("HTML for the website").input_value()
    assert copied.startswith(f'<a href="{url}/ar/?c=koulu" hreflang="ar" rel="noreferrer">')
    assert csp_violations.found == []

    # The QR code's address opens the Somali front page.
    page.goto(address)
    expect(page.locator("html")).to_have_attribute("lang", "so")

"""The analyst's statistics in a real browser: the dashboard, another range, the PDF."""

import io
import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from huoli.accounts.models import User
from huoli.contacts.models import ContactRecord, ListEntry
from huoli.contacts.services import case_create_for_record
from huoli.contacts.tests.factories import PhoneCallFactory
from huoli.conversations.tests.factories import chat_taken
from huoli.tests.browser.test_records import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def this_year(demo_staff):
    """Twelve calls earlier this year (three by fathers) and a chat and a case today."""
    counsellor = User.objects.get(username="counsellor")
    mother = ListEntry.objects.get(kind="contacting", code="mother")
    father = ListEntry.objects.get(kind="contacting", code="father")
    now = timezone.now()
    start_of_year = now.replace(month=1, day=1, hour=12)
    for i in range(12):
        PhoneCallFactory(
            counsellor=counsellor,
            contacting=father if i < 3 else mother,
            started_at=start_of_year + timedelta(hours=i),
        )
    access = chat_taken(counsellor=counsellor)
    record = ContactRecord.objects.get(conversation=access.conversation)
    return {
        "case": case_create_for_record(record=record, by=counsellor),
        "chat": access.conversation,
    }


def test_the_analyst_reads_the_year_and_downloads_the_pdf(this_year, asgi_server, browser):
    url = asgi_server.url
    page = browser.new_context(locale="en-GB", accept_downloads=True).new_page()
    log_in(page, url, "analyst")
    page.get_by_role("link", name="Statistics", exact=True).first.click()
    expect(page.get_by_role("heading", name="Statistics", exact=True)).to_be_visible()

    page.get_by_label("Period", exact=True).select_option("year")
    page.get_by_role("button", name="Show").click()
    contacting = page.get_by_role("region", name="Who is contacting")
    expect(contacting.get_by_role("row", name="Mother")).to_have_text(re.compile(r"Mother\s*10"))
    expect(contacting.get_by_role("row", name="Father")).to_contain_text("<5")
    # 13 contacts, 9 of them mothers: shown rounded to 5 (decision 0019).
    expect(page.locator("[data-figure=contacts]")).to_have_text("15")
    expect(contacting.locator("svg title")).to_have_text("Who is contacting")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="PDF report (EN)").click()
    content = download_info.value.path().read_bytes()
    pdf = PdfReader(io.BytesIO(content))
    text = "\n".join(p.extract_text() for p in pdf.pages)
    assert re.search(r"Huoli statistics 1 Jan \d{4} - 31 Dec \d{4}", text)  # day-first staff dates
    assert "Mother 10" in text and "Mother 9" not in text
    assert "Father <5" in text and "Father 3" not in text
    assert 2 <= len(pdf.pages) <= 10

    # Nothing leads from a count to a record: case and conversation pages are refused.
    case_page = page.goto(f"{url}/console/cases/{this_year['case'].number}/")
    assert case_page.status == 403
    chat_page = page.goto(f"{url}/console/conversations/{this_year['chat'].pk}/")
    assert chat_page.status == 403


def test_the_period_form_shows_only_the_fields_of_the_chosen_period(
    demo_staff, asgi_server, browser
):
    """Progressive enhancement: a script hides the fields another period uses; without it every
    field shows and the server still reads only those of the chosen period."""
    url = asgi_server.url
    page = browser.new_context(locale="en-GB").new_page()
    log_in(page, url, "supervisor")
    page.goto(f"{url}/console/reports/")
    form = page.get_by_role("form", name="Choose the period")
    period = form.get_by_label("Period", exact=True)
    fields = {name: form.get_by_label(label, exact=True) for name, label in
              [("year", "Year"), ("month", "Month"), ("quarter", "Quarter"), ("start", "From"),
               ("end", "To")]}  # fmt: skip

    def shown(*names):
        for name, field in fields.items():
            if name in names:
                expect(field).to_be_visible()
            else:
                expect(field).to_be_hidden()

    expect(period).to_have_value("quarter")
    shown("year", "quarter")
    period.select_option("month")
    shown("year", "month")
    period.select_option("year")
    shown("year")
    period.select_option("custom")
    shown("start", "end")
    fields["start"].fill("2026-01-01")
    fields["end"].fill("2026-01-31")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("heading", name="Contacts by week")).to_be_visible()
    expect(period).to_have_value("custom")
    shown("start", "end")
    # A field comes back with its value when its period is chosen again.
    period.select_option("month")
    shown("year", "month")
    expect(fields["year"]).not_to_have_value("")

    no_script = browser.new_context(locale="en-GB", java_script_enabled=False).new_page()
    log_in(no_script, url, "supervisor")
    no_script.goto(f"{url}/console/reports/")
    for field in ("Period", "Year", "Month", "Quarter", "From", "To"):
        expect(no_script.get_by_label(field, exact=True)).to_be_visible()

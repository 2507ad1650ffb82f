"""Accessibility, weight and reach in a real browser:

- axe-core (the npm package, injected into each page) finds no serious or critical WCAG 2.1
  A/AA violation on the public pages in Finnish and Arabic, nor on the console;
- nothing scrolls sideways on a 360 px phone or at 320 CSS px (a 1280 px screen zoomed to
  400 %, which covers 200 %);
- the chat page with everything it loads transfers under 100 KB;
- without JavaScript (Tor Browser "Safest"), a visitor reads the information pages, leaves a
  message, comes back with the code on another device and reads the counsellor's answer.
"""

from __future__ import annotations

import os
import re
import threading
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from huoli.conversations.models import Conversation
from huoli.conversations.services.messages import message_post
from huoli.conversations.services.queue import conversation_take, duty_set
from huoli.helpline.models import LineNumber, OpeningHours
from huoli.reports.forms import last_full_quarter
from huoli.reports.models import PublishedQuarter
from huoli.tests.browser.test_chat import counsellor_on_duty, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).resolve().parents[3] / "node_modules" / "axe-core" / "axe.min.js"
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
CHAT_PAGE_BUDGET = 100_000
# The element that sticks out furthest, to name it when something is too wide.
WIDEST = """() => [...document.querySelectorAll('body *')]
  .map((e) => [e.getBoundingClientRect().right, e.tagName + '.' + e.className])
  .sort((a, b) => b[0] - a[0])[0]"""


@pytest.fixture
def axe_source() -> str:
    if not AXE.exists():
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the accessibility tests, but {AXE} is missing (npm ci)")
        pytest.skip("axe-core is not installed (make test installs it with npm)")
    return AXE.read_text()


def serious_violations(page, axe_source: str) -> list[str]:
    """axe-core's serious and critical findings on the page as it is now."""
    page.evaluate(axe_source)  # through DevTools, so the page's CSP does not apply
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})",
        WCAG,
    )
    return [
        f"{page.url} {v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(node["target"][0] for node in v["nodes"][:3])
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.fixture
def line_open(demo_staff):
    """The demo data opens the line around the clock and prints its number on every page."""
    assert OpeningHours.objects.count() == 7
    assert LineNumber.objects.exists()


@pytest.mark.parametrize("language", ["fi", "ar"])
def test_public_pages_have_no_serious_violations(
    language, line_open, asgi_server, browser, axe_source
):
    url = asgi_server.url
    counsellor_on_duty(browser.new_context(locale="en-GB").new_page(), url)
    year, quarter = last_full_quarter(timezone.localdate())
    page = browser.new_context(locale=language).new_page()
    found = []
    # The statistics page with a quarter's tables (the demo data has no contacts: every
    # figure is "<5", the tables are all there).
    PublishedQuarter.objects.create(year=year, quarter=quarter)
    paths = ("/", "/message/", "/return/", "/services/", "/info/", "/info/safety/", "/call/",
             "/statistics/")  # fmt: skip
    for path in paths:
        page.goto(f"{url}/{language}{path}")
        expect(page.locator("html")).to_have_attribute("lang", language)
        found += serious_violations(page, axe_source)
    # The start of a chat and the conversation page with its return code.
    page.goto(f"{url}/{language}/")
    page.locator("#id_nickname").fill("Äiti")
    page.locator("form:has(select[name=language]) button[type=submit]").click()
    if language == "ar":  # nobody on duty speaks Arabic: the visitor chooses how to go on
        expect(page.locator("form input[name=language_confirmed]").first).to_be_attached()
        found += serious_violations(page, axe_source)
        page.locator("form button[type=submit]").first.click()
    expect(page.locator("[data-code]")).to_be_visible()
    found += serious_violations(page, axe_source)
    page.goto(f"{url}/{language}/message/")
    page.locator("form button[type=submit]").click()  # empty: errors shown
    found += serious_violations(page, axe_source)
    assert found == []


def test_the_console_has_no_serious_violations(line_open, asgi_server, browser, axe_source):
    url = asgi_server.url
    staff = browser.new_context(locale="en-GB").new_page()
    counsellor_on_duty(staff, url)
    found = serious_violations(staff, axe_source)
    visitor = browser.new_context(locale="en-GB").new_page()
    visitor.goto(f"{url}/en/")
    visitor.get_by_role("button", name="Start chat").click()
    expect(visitor.get_by_label("Your return code")).to_be_visible()
    staff.get_by_role("button", name="Take chat").click()
    expect(staff.get_by_role("heading", name=re.compile(r"Chat \d+"))).to_be_visible()
    found += serious_violations(staff, axe_source)
    staff.goto(f"{staff.url}?before=2")  # a page of earlier messages
    expect(staff.get_by_role("heading", name=re.compile("Earlier messages"))).to_be_visible()
    found += serious_violations(staff, axe_source)
    for path in (
        "/console/calls/new/",
        "/console/conversations/",
        "/console/conversations/?language=xx",
        "/console/cases/",
        "/console/directory/",
    ):
        staff.goto(f"{url}{path}")
        found += serious_violations(staff, axe_source)
    analyst = browser.new_context(locale="en-GB").new_page()
    log_in(analyst, url, "analyst")
    analyst.goto(f"{url}/console/reports/")
    found += serious_violations(analyst, axe_source)
    assert found == []


def test_the_shift_and_supervision_pages_have_no_serious_violations(
    line_open, asgi_server, browser, axe_source
):
    """Handover notes (unread on the home, read, who read them), a debrief request on the
    record and the supervisors' pages, each with content."""
    from django.utils import timezone

    from huoli.accounts.models import User
    from huoli.contacts.tests.factories import PhoneCallFactory
    from huoli.supervision.services.debriefs import debrief_request
    from huoli.supervision.services.handover import handover_note_write

    url = asgi_server.url
    aino = User.objects.get(username="counsellor")
    note_by = User.objects.get(username="counsellor2")
    handover_note_write(by=note_by, body="Case ACD-EFG awaits a call.")
    record = PhoneCallFactory(counsellor=aino, risk_level=3, started_at=timezone.now())
    debrief_request(record=record, by=aino, note="A hard one.")
    found = []
    counsellor = browser.new_context(locale="en-GB").new_page()
    log_in(counsellor, url, "counsellor")
    found += serious_violations(counsellor, axe_source)
    for path in ("/console/handover/", f"/console/records/{record.pk}/"):
        counsellor.goto(f"{url}{path}")
        found += serious_violations(counsellor, axe_source)
    supervisor = browser.new_context(locale="en-GB").new_page()
    log_in(supervisor, url, "supervisor")
    for path in ("/console/handover/", "/console/debriefs/", "/console/supervision/"):
        supervisor.goto(f"{url}{path}")
        found += serious_violations(supervisor, axe_source)
    expect(supervisor.get_by_text("Month in total")).to_be_visible()
    assert found == []


@pytest.mark.parametrize("width", [360, 320])
def test_nothing_scrolls_sideways_on_a_small_screen(width, line_open, asgi_server, browser):
    url = asgi_server.url
    counsellor_on_duty(browser.new_context(locale="en-GB").new_page(), url)
    year, quarter = last_full_quarter(timezone.localdate())
    PublishedQuarter.objects.create(year=year, quarter=quarter)  # the statistics' tables
    for language in ("fi", "ar"):
        page = browser.new_context(
            locale=language, viewport={"width": width, "height": 740}
        ).new_page()
        for path in ("/", "/message/", "/info/signs/", "/services/", "/call/", "/statistics/"):
            page.goto(f"{url}/{language}{path}")
            wide = page.evaluate("document.documentElement.scrollWidth")
            widest = page.evaluate(WIDEST)
            assert wide <= width, f"{language}{path} is {wide} px wide at {width} px: {widest}"
        page.goto(f"{url}/{language}/")
        page.locator("form:has(select[name=language]) button[type=submit]").click()
        # A click returns once the next page is on its way, not loaded: measured before its
        # stylesheet arrives (a busy machine), the unstyled page is wider than the screen.
        page.wait_for_load_state("load")
        if language == "ar":
            assert page.evaluate("document.documentElement.scrollWidth") <= width
            page.locator("form button[type=submit]").first.click()
            page.wait_for_load_state("load")
        expect(page.locator("[data-code]")).to_be_visible()
        page.wait_for_load_state("load")
        wide = page.evaluate("document.documentElement.scrollWidth")
        widest = page.evaluate(WIDEST)
        assert wide <= width, f"{language} chat is {wide} px wide at {width} px: {widest}"


def test_the_chat_page_with_all_it_loads_is_under_100_kb(line_open, asgi_server, browser):
    url = asgi_server.url
    counsellor_on_duty(browser.new_context(locale="en-GB").new_page(), url)
    visitor = browser.new_context(locale="fi").new_page()
    visitor.goto(f"{url}/fi/")
    visitor.locator("form[action$='/chat/start/'] button[type=submit]").click()
    expect(visitor.locator("[data-code]")).to_be_visible()
    # A fresh device opening the chat page: count every response's bytes on the wire.
    fresh = browser.new_context(locale="fi")
    fresh.add_cookies(visitor.context.cookies())
    page = fresh.new_page()
    responses = []
    page.on("response", lambda response: responses.append(response))
    page.goto(f"{url}/fi/conversation/", wait_until="networkidle")
    expect(page.locator("[data-chat].live")).to_be_visible()
    total = 0
    for response in responses:
        sizes = response.request.sizes()
        total += sizes["responseHeadersSize"] + sizes["responseBodySize"]
    kinds = {r.request.resource_type for r in responses}
    assert {"document", "stylesheet", "script"} <= kinds
    print(f"the chat page transferred {total} bytes in {len(responses)} responses")
    assert total < CHAT_PAGE_BUDGET, f"the chat page transferred {total} bytes"


def test_without_javascript_a_visitor_leaves_a_message_and_reads_the_answer(
    line_open, asgi_server, browser
):
    url = asgi_server.url
    plain = browser.new_context(locale="fi", java_script_enabled=False).new_page()
    plain.goto(f"{url}/")
    expect(plain).to_have_url(f"{url}/fi/")
    plain.goto(f"{url}/fi/info/signs/")
    expect(plain.get_by_role("heading", level=1)).to_have_text(
        "Merkkejä, joihin kiinnittää huomiota"
    )
    plain.goto(f"{url}/fi/")
    plain.get_by_role("link", name="Jätä viesti").click()
    plain.locator("#id_body").fill("Poikani puhuu vain uudesta ryhmästään.")
    plain.locator("form button[type=submit]").click()
    code = plain.locator("[data-code]").get_attribute("data-code")
    assert re.fullmatch(r"\d{16}", code)
    expect(plain.get_by_text("Poikani puhuu vain uudesta ryhmästään.")).to_be_visible()

    def answer():
        """As the counsellor's console would (in its own thread: Playwright's event loop
        runs in this one, and services publish their events through async_to_sync)."""
        from huoli.accounts.models import User

        conversation = Conversation.objects.get()
        counsellor = User.objects.get(username="counsellor")
        duty_set(user=counsellor, on_duty=True)
        conversation_take(counsellor=counsellor, conversation_id=conversation.pk)
        message_post(
            conversation=conversation,
            sender="counsellor",
            author=counsellor,
            client_id="answer-1",
            body="Kiitos viestistä. Kerro lisää, milloin muutos alkoi?",
        )

    worker = threading.Thread(target=answer)
    worker.start()
    worker.join()

    later = browser.new_context(locale="fi", java_script_enabled=False).new_page()
    later.goto(f"{url}/fi/return/")
    later.locator("#id_code").fill(f"{code[:4]} {code[4:8]} {code[8:12]} {code[12:]}")
    later.locator("form button[type=submit]").click()
    expect(
        later.get_by_text("Kiitos viestistä. Kerro lisää, milloin muutos alkoi?")
    ).to_be_visible()
    later.locator("#id_body").fill("Noin puoli vuotta sitten.")
    later.locator("form[data-send-form] button[type=submit]").click()
    expect(later.get_by_text("Noin puoli vuotta sitten.")).to_be_visible()

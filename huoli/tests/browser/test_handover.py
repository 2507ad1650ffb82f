"""Handover between shifts in a real browser: counsellor A writes a note with the keyboard;
counsellor B goes on duty, sees it on the console home and marks it read; the supervisor
sees that B read it."""

import pytest
from playwright.sync_api import expect

from huoli.tests.browser.test_chat import log_in
from huoli.tests.browser.test_records import focused_name, tab_to

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NOTE = "Case ACD-EFG awaits a call back before noon."


def test_a_handover_note_is_read_by_the_next_shift_and_the_supervisor_sees_it(
    demo_staff, asgi_server, browser, csp_violations
):
    url = asgi_server.url

    def new_page():
        context = browser.new_context(locale="en-GB", timezone_id="Europe/Helsinki")
        return csp_violations(context.new_page())

    # Counsellor A: from the menu to the form and the note written, all with the keyboard.
    a = new_page()
    log_in(a, url, "counsellor")
    expect(a.get_by_text("No unread handover notes from the last days.")).to_be_visible()
    a.keyboard.press("Tab")
    tab_to(a, "Handover")
    a.keyboard.press("Enter")
    expect(a.get_by_role("heading", name="Handover", exact=True)).to_be_visible()
    expect(a.get_by_text("No handover notes yet.")).to_be_visible()
    tab_to(a, "Handover note for the next shift")
    a.keyboard.type(NOTE)
    a.keyboard.press("Tab")
    assert focused_name(a) == "Save the handover note"
    a.keyboard.press("Enter")
    expect(a.get_by_text("The handover note is saved for the next shift.")).to_be_visible()
    expect(a.get_by_text(NOTE)).to_be_visible()
    expect(a.get_by_text("Written by you.")).to_be_visible()

    # Counsellor B comes on duty and finds the note on the console home.
    b = new_page()
    log_in(b, url, "counsellor2")
    b.get_by_role("button", name="Go on duty").click()
    expect(b.get_by_text("Live updates are on.")).to_be_visible()
    handover = b.get_by_role("region", name="Handover notes")
    expect(handover.get_by_text(NOTE)).to_be_visible()
    handover.get_by_role("button", name="Mark read").focus()
    b.keyboard.press("Enter")
    expect(b.get_by_text("The handover note is marked read.")).to_be_visible()
    expect(b.get_by_role("region", name="Handover notes").get_by_text(NOTE)).to_have_count(0)
    expect(b.get_by_text("No unread handover notes from the last days.")).to_be_visible()

    # The supervisor sees that B read it (Samira) and the note is still unread for none.
    s = new_page()
    log_in(s, url, "supervisor")
    s.get_by_role("navigation", name="Console").get_by_role("link", name="Handover").click()
    note = s.get_by_role("listitem").filter(has_text=NOTE)
    expect(note.get_by_text("Read by:")).to_be_visible()
    expect(note).to_contain_text("Samira")
    expect(note).to_contain_text("every counsellor has read it")
    assert csp_violations.found == []

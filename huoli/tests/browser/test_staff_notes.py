"""A private word in real browsers: a supervisor observing a live chat and the counsellor
answering it exchange notes, both screens show them marked as private, and the visitor's
page and socket never carry them (issue 18, point 6)."""

import re

import pytest
from playwright.sync_api import expect

from huoli.conversations.models import StaffNote
from huoli.tests.browser.test_chat import (
    counsellor_on_duty,
    counsellor_takes_chat,
    log_in,
    visitor_starts_chat,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MARK = "Private note — the visitor does not see this"
FROM_SUPERVISOR = "Ask gently whether the father knows about the group"
FROM_COUNSELLOR = "Thanks, I will ask after the next question"
NOTE_FIELD = "Private note to the staff (the visitor does not see it)"


def test_a_supervisor_and_the_counsellor_exchange_notes_the_visitor_never_sees(
    demo_staff, asgi_server, browser, csp_violations
):
    url = asgi_server.url
    staff = csp_violations(browser.new_context(locale="en-GB").new_page())
    counsellor_on_duty(staff, url)
    visitor = csp_violations(browser.new_context(locale="en-GB").new_page())
    # Every frame the visitor's browser receives over any websocket, from the start.
    frames: list[str] = []
    visitor.on(
        "websocket",
        lambda socket: socket.on("framereceived", lambda payload: frames.append(str(payload))),
    )
    visitor_starts_chat(visitor, url)
    counsellor_takes_chat(staff, visitor)

    supervisor = csp_violations(browser.new_context(locale="en-GB").new_page())
    log_in(supervisor, url, "supervisor")
    supervisor.goto(staff.url)
    expect(supervisor.get_by_text("You are observing (read only).")).to_be_visible()
    # The observer's page is live: it hears the visitor.
    visitor.get_by_label("Message").fill("My son has new friends online.")
    visitor.get_by_label("Message").press("Enter")
    expect(supervisor.get_by_text("My son has new friends online.")).to_be_visible()

    # The supervisor writes a note (Enter sends); both screens show it, marked.
    supervisor.get_by_label(NOTE_FIELD).fill(FROM_SUPERVISOR)
    supervisor.get_by_label(NOTE_FIELD).press("Enter")
    for page in (supervisor, staff):
        note = page.locator(".staff-note").filter(has_text=FROM_SUPERVISOR)
        expect(note).to_be_visible()
        expect(note).to_contain_text(MARK)
        expect(note).not_to_contain_text("Sending…")
        expect(note.locator("time")).to_have_text(re.compile(r"^\d\d:\d\d$"))
    expect(supervisor.get_by_label(NOTE_FIELD)).to_have_value("")

    # The counsellor answers with a note; the supervisor sees it without a reload.
    staff.get_by_label(NOTE_FIELD).fill(FROM_COUNSELLOR)
    staff.get_by_label(NOTE_FIELD).press("Enter")
    answer = supervisor.locator(".staff-note").filter(has_text=FROM_COUNSELLOR)
    expect(answer).to_contain_text(MARK)
    expect(answer).to_contain_text("Aino")
    expect(staff.locator(".staff-note").filter(has_text=FROM_COUNSELLOR)).to_be_visible()

    # An empty note is refused beside the form, nothing sent.
    staff.get_by_label(NOTE_FIELD).press("Enter")
    expect(staff.get_by_text("Write a note first.")).to_be_visible()

    # Then a message to the visitor: once it arrives, anything sent before it has too.
    staff.get_by_label("Message", exact=True).fill("Tell me more about those friends.")
    staff.get_by_label("Message", exact=True).press("Enter")
    expect(visitor.get_by_text("Tell me more about those friends.", exact=True)).to_be_visible()
    assert any("Tell me more about those friends." in frame for frame in frames)
    for text in (FROM_SUPERVISOR, FROM_COUNSELLOR):
        assert not any(text in frame for frame in frames), text
        assert text not in visitor.content()
    expect(visitor.get_by_text(re.compile("private note", re.I))).to_have_count(0)
    # Not after a reload either (the visitor's history comes from the server).
    visitor.reload()
    expect(visitor.get_by_text("Tell me more about those friends.", exact=True)).to_be_visible()
    for text in (FROM_SUPERVISOR, FROM_COUNSELLOR):
        assert text not in visitor.content()
        assert not any(text in frame for frame in frames), text

    # Kept with the conversation: both notes there after a reload of the console page.
    staff.reload()
    expect(staff.locator(".staff-note")).to_have_count(2)
    assert sorted(n.body for n in StaffNote.objects.all()) == sorted(
        [FROM_SUPERVISOR, FROM_COUNSELLOR]
    )
    assert csp_violations.found == []

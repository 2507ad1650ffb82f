"""Handover, debrief and team pages over HTTP: forms with clear errors, the home's unread
notes, who read them for supervisors, and every refusal an attacker would try."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from huoli.accounts.tests.factories import device_confirmed, log_in_with_device
from huoli.contacts.tests.factories import PhoneCallFactory
from huoli.conversations.services.queue import duty_set
from huoli.core.models import AuditEntry
from huoli.core.roles import Role
from huoli.supervision.models import HANDOVER_MAX_LENGTH, DebriefRequest, HandoverNote
from huoli.supervision.services.debriefs import debrief_request
from huoli.supervision.services.handover import handover_note_mark_read, handover_note_write

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def as_user(no_demo_mode):
    def login(user) -> Client:
        return log_in_with_device(Client(), user, device_confirmed(user))

    return login


def test_a_note_is_written_and_shown_to_the_next_counsellor_on_home(team, as_user):
    aino, ben = as_user(team["aino"]), as_user(team["ben"])
    page = aino.get("/console/handover/", **EN)
    assert page.status_code == 200 and b"No handover notes yet" in page.content

    response = aino.post("/console/handover/", {"body": "Tapaus ACD-EFG: soita klo 10"}, **EN)
    assert response.status_code == 302
    note = HandoverNote.objects.get()
    assert note.author == team["aino"]

    home = ben.get("/console/", **EN)
    assert "Tapaus ACD-EFG: soita klo 10" in home.content.decode()
    assert f"/console/handover/{note.pk}/read/" in home.content.decode()
    assert b"Tapaus ACD-EFG" not in aino.get("/console/", **EN).content  # the author's own

    marked = ben.post(f"/console/handover/{note.pk}/read/", {"next": "/console/"}, **EN)
    assert marked.status_code == 302 and marked["Location"] == "/console/"
    assert b"Tapaus ACD-EFG" not in ben.get("/console/", **EN).content
    assert b"You have read this note." in ben.get("/console/handover/", **EN).content
    # A "next" outside the console is not followed.
    elsewhere = ben.post(f"/console/handover/{note.pk}/read/", {"next": "https://evil.example/"})
    assert elsewhere["Location"] == "/console/handover/"


@pytest.mark.parametrize(
    ("body", "error"),
    [("", "Write the handover note first."), ("x" * (HANDOVER_MAX_LENGTH + 1), "at most")],
)
def test_a_bad_note_gets_a_clear_error_and_nothing_is_saved(team, as_user, body, error):
    response = as_user(team["aino"]).post("/console/handover/", {"body": body}, **EN)
    assert response.status_code == 400
    assert error in response.content.decode()
    assert not HandoverNote.objects.exists()


def test_supervisors_see_who_read_a_note_and_who_has_not(team, as_user):
    note = handover_note_write(by=team["aino"], body="Seuranta")
    handover_note_mark_read(note=note, by=team["ben"])
    page = as_user(team["sara"]).get("/console/handover/", **EN).content.decode()
    assert "Read by" in page and team["ben"].display_name in page
    assert "every counsellor has read it" in page
    counsellor_page = as_user(team["ben"]).get("/console/handover/", **EN).content.decode()
    assert "Read by" not in counsellor_page and "Not read yet" not in counsellor_page


def test_the_list_is_paginated_newest_first(team, as_user):
    for number in range(23):
        handover_note_write(by=team["aino"], body=f"Huomio numero {number:02d}")
    client = as_user(team["ben"])
    first = client.get("/console/handover/", **EN).content.decode()
    assert "Huomio numero 22" in first and "Huomio numero 02" not in first
    assert "Page 1 of 2" in first
    second = client.get("/console/handover/?page=2", **EN).content.decode()
    assert "Huomio numero 02" in second and "Huomio numero 22" not in second
    assert client.get("/console/handover/?page=zzz", **EN).status_code == 200


@pytest.mark.parametrize("role", [Role.ANALYST, Role.ADMINISTRATOR])
def test_analysts_and_administrators_see_no_handover(team, staff_factory, as_user, role):
    note = handover_note_write(by=team["aino"], body="Salainen")
    client = as_user(staff_factory(role=role))
    assert client.get("/console/handover/").status_code == 403
    assert client.post("/console/handover/", {"body": "x"}).status_code == 403
    assert client.post(f"/console/handover/{note.pk}/read/").status_code == 403
    assert b"Salainen" not in client.get("/console/").content
    assert not note.reads.exists()


def test_a_missing_note_is_a_404(team, as_user):
    assert as_user(team["ben"]).post("/console/handover/999999/read/").status_code == 404


def test_a_debrief_is_asked_from_the_record_and_its_state_shown(team, as_user):
    record = PhoneCallFactory(counsellor=team["aino"], risk_level=3)
    aino, sara = as_user(team["aino"]), as_user(team["sara"])
    page = aino.get(f"/console/records/{record.pk}/", **EN).content.decode()
    assert "Ask for a debrief" in page

    response = aino.post(f"/console/records/{record.pk}/debrief/", {"note": "Raskas puhelu"}, **EN)
    assert response.status_code == 302 and response["Location"] == f"/console/records/{record.pk}/"
    request = DebriefRequest.objects.get()
    assert request.note == "Raskas puhelu"
    assert AuditEntry.objects.filter(action="record.debrief", object_id=str(record.pk)).exists()
    page = aino.get(f"/console/records/{record.pk}/", **EN).content.decode()
    assert "waiting for a supervisor" in page
    assert "Ask for a debrief" not in page  # not twice while one waits

    assert b"1 counsellor request waits for a debrief." in sara.get("/console/", **EN).content
    listing = sara.get("/console/debriefs/", **EN).content.decode()
    assert "Raskas puhelu" in listing and f"/console/records/{record.pk}/" in listing
    assert sara.post(f"/console/debriefs/{request.pk}/done/").status_code == 302
    request.refresh_from_db()
    assert request.status == DebriefRequest.Status.DONE
    assert b"No debrief requests are waiting." in sara.get("/console/debriefs/", **EN).content
    page = aino.get(f"/console/records/{record.pk}/", **EN).content.decode()
    assert f"done by {team['sara'].display_name}" in page
    assert "Ask for a debrief" in page  # a new one may be asked


def test_an_overlong_debrief_note_is_refused_clearly(team, as_user):
    record = PhoneCallFactory(counsellor=team["aino"])
    client = as_user(team["aino"])
    response = client.post(
        f"/console/records/{record.pk}/debrief/", {"note": "x" * 501}, follow=True, **EN
    )
    assert "at most 500 characters" in response.content.decode()
    assert not DebriefRequest.objects.exists()


def test_debriefs_are_refused_to_the_wrong_people(team, staff_factory, as_user):
    record = PhoneCallFactory(counsellor=team["aino"])
    request = debrief_request(record=record, by=team["aino"], note="Yksityinen")
    ben = as_user(team["ben"])
    # Another counsellor's record looks missing; the supervisors' pages are refused.
    assert ben.post(f"/console/records/{record.pk}/debrief/").status_code == 404
    for role in (Role.COUNSELLOR, Role.ANALYST, Role.ADMINISTRATOR):
        client = as_user(staff_factory(role=role))
        assert client.get("/console/debriefs/").status_code == 403
        assert client.post(f"/console/debriefs/{request.pk}/done/").status_code == 403
    assert as_user(team["aino"]).post(f"/console/debriefs/{request.pk}/done/").status_code == 403
    request.refresh_from_db()
    assert request.status == DebriefRequest.Status.OPEN
    assert DebriefRequest.objects.count() == 1
    missing = as_user(team["sara"]).post("/console/debriefs/999999/done/", follow=True, **EN)
    assert b"no longer exists" in missing.content


def test_the_team_page_counts_high_risk_contacts_for_supervisors_only(team, staff_factory, as_user):
    helsinki = ZoneInfo("Europe/Helsinki")
    PhoneCallFactory(
        counsellor=team["aino"],
        risk_level=3,
        started_at=dt.datetime(2026, 11, 3, 9, tzinfo=helsinki),
    )
    with time_machine.travel(dt.datetime(2026, 11, 4, 16, tzinfo=helsinki), tick=False):
        duty_set(user=team["aino"], on_duty=True)
    with time_machine.travel(dt.datetime(2026, 11, 4, 21, 30, tzinfo=helsinki), tick=False):
        duty_set(user=team["aino"], on_duty=False)
    PhoneCallFactory(
        counsellor=team["aino"],
        risk_level=4,
        started_at=dt.datetime(2026, 11, 4, 18, tzinfo=helsinki),
    )
    sara = as_user(team["sara"])
    page = sara.get("/console/supervision/?month=2026-11", **EN).content.decode()
    assert team["aino"].display_name in page and "Month in total" in page
    assert "Wed 4.11. 16:00\u201321:30" in page  # the recorded shift
    assert 'Tue 3.11. <span class="help">(no shift recorded)</span>' in page
    empty = sara.get("/console/supervision/?month=2026-10", **EN).content.decode()
    assert "No contacts with risk level 3 or 4 in this month." in empty
    assert sara.get("/console/supervision/", **EN).status_code == 200  # this month
    for bad in ("2026-13", "abc", "9999-12", "2026", "-1-1", "2026-011", "x" * 5000):
        response = sara.get(f"/console/supervision/?month={bad}", **EN)
        assert response.status_code == 400, bad
        assert b"Choose a month" in response.content
    # Counsellors, analysts and administrators are refused, also by guessing the address.
    for user in (team["aino"], team["ali"], staff_factory(role=Role.ADMINISTRATOR)):
        client = as_user(user)
        response = client.get("/console/supervision/?month=2026-11")
        assert response.status_code == 403
        assert team["aino"].display_name.encode() not in response.content
        assert b"/console/supervision/" not in client.get("/console/").content  # no link

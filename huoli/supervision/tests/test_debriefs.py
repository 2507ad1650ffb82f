"""Debrief requests: asked about a record one may see, once while it waits, encrypted,
audited; marked done by supervisors only; each counsellor sees only their own."""

import pytest
from django.db import connection

from huoli.contacts.tests.factories import PhoneCallFactory
from huoli.core.models import AuditEntry
from huoli.core.roles import Role
from huoli.supervision.models import DEBRIEF_NOTE_MAX_LENGTH, DebriefRequest
from huoli.supervision.selectors.debriefs import (
    debriefs_done_recently,
    debriefs_for_record,
    debriefs_open,
)
from huoli.supervision.services.debriefs import DebriefError, debrief_done, debrief_request

pytestmark = pytest.mark.django_db


def test_a_request_waits_once_then_is_done_by_a_supervisor(team):
    aino, sara = team["aino"], team["sara"]
    record = PhoneCallFactory(counsellor=aino, risk_level=3)

    request = debrief_request(record=record, by=aino, note="Isä uhkaili, jäi mieleen")
    again = debrief_request(record=record, by=aino, note="")
    assert again.pk == request.pk and again.note == "Isä uhkaili, jäi mieleen"
    with connection.cursor() as cursor:
        cursor.execute("SELECT note FROM supervision_debriefrequest WHERE id = %s", [request.pk])
        assert "uhkaili" not in cursor.fetchone()[0]
    assert list(debriefs_open(sara)) == [request]

    with pytest.raises(DebriefError) as refused:
        debrief_done(request_id=request.pk, by=aino)
    assert refused.value.code == "not_allowed"

    done = debrief_done(request_id=request.pk, by=sara)
    assert done.status == DebriefRequest.Status.DONE and done.done_by == sara
    assert debrief_done(request_id=request.pk, by=sara).done_at == done.done_at
    assert list(debriefs_open(sara)) == []
    assert list(debriefs_done_recently(sara)) == [done]
    actions = list(
        AuditEntry.objects.filter(action__startswith="debrief.")
        .order_by("seq")
        .values_list("action", "actor_id")
    )
    assert actions == [
        ("debrief.requested", aino.pk),
        ("debrief.requested", aino.pk),
        ("debrief.done", sara.pk),
    ]

    # Done, a new request may be asked about the same contact.
    assert debrief_request(record=record, by=aino).pk != request.pk


def test_nobody_asks_about_a_record_they_may_not_see(team, staff_factory):
    record = PhoneCallFactory(counsellor=team["aino"])
    for user in (team["ben"], team["ali"], staff_factory(role=Role.ADMINISTRATOR)):
        with pytest.raises(DebriefError) as refused:
            debrief_request(record=record, by=user)
        assert refused.value.code == "not_allowed"
    assert not DebriefRequest.objects.exists()


def test_an_overlong_note_is_refused(team):
    record = PhoneCallFactory(counsellor=team["aino"])
    with pytest.raises(DebriefError) as refused:
        debrief_request(record=record, by=team["aino"], note="x" * (DEBRIEF_NOTE_MAX_LENGTH + 1))
    assert refused.value.code == "too_long"
    assert not DebriefRequest.objects.exists()


def test_a_counsellor_sees_only_their_own_requests(team):
    aino, ben, sara = team["aino"], team["ben"], team["sara"]
    mine = debrief_request(record=PhoneCallFactory(counsellor=aino), by=aino)
    theirs = debrief_request(record=PhoneCallFactory(counsellor=ben), by=ben)
    assert list(debriefs_open(aino)) == [mine]
    assert list(debriefs_for_record(aino, theirs.record)) == []
    assert list(debriefs_for_record(sara, theirs.record)) == [theirs]
    assert list(debriefs_open(team["ali"])) == []
    with pytest.raises(DebriefError) as refused:
        debrief_done(request_id=999999, by=sara)
    assert refused.value.code == "not_found"

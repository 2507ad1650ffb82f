from datetime import timedelta

import pytest
from django.http import Http404
from django.utils import timezone

from huoli.cases.models import CASE_NUMBER_ALPHABET, Case
from huoli.cases.selectors import access_case, case_search, my_follow_ups
from huoli.cases.services import (
    CaseError,
    case_counsellor_add,
    case_create,
    follow_up_create,
    follow_up_done,
)
from huoli.contacts.models import ContactRecord, ListEntry
from huoli.contacts.selectors import access_record
from huoli.contacts.services import case_create_for_record, contact_record_fields_save
from huoli.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def phone_record(by, **fields) -> ContactRecord:
    return contact_record_fields_save(
        record=ContactRecord(channel="phone"), by=by, fields=fields, concerns=[], actions=[]
    )


def test_case_numbers_are_short_random_and_readable(team):
    numbers = {case_create(by=team["aino"]).number for _ in range(30)}
    assert len(numbers) == 30
    for number in numbers:
        assert len(number) == 6 and set(number) <= set(CASE_NUMBER_ALPHABET)
    ordered = sorted(Case.objects.values_list("pk", "number"))
    assert [n for _, n in ordered] != sorted(n for _, n in ordered)


def test_a_case_is_found_by_its_number_however_it_is_written(team):
    case = case_create(by=team["aino"], title="Perhe A")
    spoken = f" {case.number[:3].lower()} - {case.number[3:]} "
    assert access_case(team["aino"], spoken) == case
    assert case.display_number == f"{case.number[:3]}-{case.number[3:]}"


def test_counsellors_see_only_their_cases_supervisors_all_analysts_none(team):
    record = phone_record(team["aino"], summary="Äiti soitti")
    case = case_create_for_record(record=record, by=team["aino"])
    with pytest.raises(Http404):
        access_case(team["ben"], case.number)
    with pytest.raises(Http404):
        access_record(team["ben"], record.pk)
    with pytest.raises(Http404):
        access_case(team["ali"], case.number)
    with pytest.raises(Http404):
        access_record(team["ali"], record.pk)
    assert access_case(team["sara"], case.number) == case
    case_counsellor_add(case=case, by=team["aino"], counsellor=team["ben"])
    assert access_case(team["ben"], case.number) == case
    assert access_record(team["ben"], record.pk) == record
    reads = AuditEntry.objects.filter(action="case.read", object_id=case.number)
    assert sorted(reads.values_list("actor_id", flat=True)) == sorted(
        [team["sara"].pk, team["ben"].pk]
    )


def test_only_counsellors_can_be_added_to_a_case(team):
    case = case_create(by=team["aino"])
    with pytest.raises(CaseError):
        case_counsellor_add(case=case, by=team["aino"], counsellor=team["ali"])


def test_my_follow_ups_show_overdue_ones_first_and_not_done_ones(team):
    case = case_create(by=team["aino"])
    today = timezone.localdate()
    later = follow_up_create(case=case, by=team["aino"], due_on=today + timedelta(days=3), what="b")
    overdue = follow_up_create(
        case=case, by=team["aino"], due_on=today - timedelta(days=2), what="a"
    )
    done = follow_up_create(case=case, by=team["aino"], due_on=today, what="c")
    follow_up_done(follow_up=done, by=team["aino"])
    follow_ups = list(my_follow_ups(team["aino"]))
    assert follow_ups == [overdue, later]
    assert overdue.overdue and not later.overdue
    assert list(my_follow_ups(team["ben"])) == []


def test_case_search_filters(team):
    far_right = ListEntry.objects.get(kind="concern", code="far_right")
    record = contact_record_fields_save(
        record=ContactRecord(channel="phone"),
        by=team["aino"],
        fields={"risk_level": 3},
        concerns=[far_right],
        actions=[],
    )
    matching = case_create_for_record(record=record, by=team["aino"])
    other = case_create(by=team["aino"])
    aino = team["aino"]
    assert list(case_search(aino, concern=far_right.pk)) == [matching]
    assert list(case_search(aino, risk_level=3)) == [matching]
    assert set(case_search(aino, status="open")) == {matching, other}
    assert list(case_search(aino, number=other.number[:4].lower())) == [other]
    assert list(case_search(team["ben"])) == []
    assert set(case_search(team["sara"], counsellor=aino.pk)) == {matching, other}

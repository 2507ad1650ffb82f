"""The list of conversations (``selectors.conversations_list_for``): scoped by the one
policy, filtered by metadata only, newest first, in a fixed number of queries."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from huoli.accounts.tests.factories import StaffFactory
from huoli.contacts.models import ContactRecord
from huoli.contacts.services import case_create_for_record
from huoli.conversations.selectors import conversations_list_for
from huoli.conversations.services.queue import conversation_end, conversation_flag
from huoli.conversations.tests.factories import ConversationFactory, chat_taken
from huoli.core.roles import Role

pytestmark = pytest.mark.django_db

HELSINKI = timezone.get_current_timezone()


def at(year, month, day, hour=12, minute=0):
    return dt.datetime(year, month, day, hour, minute, tzinfo=HELSINKI)


def taken_at(moment, **kwargs):
    with time_machine.travel(moment, tick=False):
        return chat_taken(**kwargs).conversation


@pytest.fixture
def people():
    return {
        "aino": StaffFactory(role=Role.COUNSELLOR),
        "ben": StaffFactory(role=Role.COUNSELLOR),
        "sara": StaffFactory(role=Role.SUPERVISOR),
        "ali": StaffFactory(role=Role.ANALYST),
        "ada": StaffFactory(role=Role.ADMINISTRATOR),
    }


def pks(queryset):
    return [c.pk for c in queryset]


def test_each_role_lists_what_the_policy_lets_it_open(people):
    aino_chat = taken_at(at(2026, 3, 1), counsellor=people["aino"])
    ben_chat = taken_at(at(2026, 3, 2), counsellor=people["ben"])
    waiting = ConversationFactory(kind="message", language="fi").conversation
    assert pks(conversations_list_for(people["aino"])) == [aino_chat.pk]
    assert pks(conversations_list_for(people["ben"])) == [ben_chat.pk]
    assert pks(conversations_list_for(people["sara"])) == [waiting.pk, ben_chat.pk, aino_chat.pk]
    assert pks(conversations_list_for(people["ali"])) == []
    assert pks(conversations_list_for(people["ada"])) == []


def test_a_counsellor_who_filters_by_a_colleague_finds_nothing_of_theirs(people):
    taken_at(at(2026, 3, 2), counsellor=people["ben"], language="ar")
    aino = people["aino"]
    assert pks(conversations_list_for(aino, counsellor=people["ben"].pk)) == []
    assert pks(conversations_list_for(aino, language="ar")) == []
    assert len(pks(conversations_list_for(people["sara"], counsellor=people["ben"].pk))) == 1


def test_filters_by_status_channel_language_counsellor_and_flag(people):
    aino, ben, sara = people["aino"], people["ben"], people["sara"]
    ended = taken_at(at(2026, 3, 1), counsellor=aino, language="fi")
    conversation_end(conversation=ended, ended_by="counsellor", by=aino)
    arabic = taken_at(at(2026, 3, 2), counsellor=ben, language="ar")
    message = ConversationFactory(kind="message", language="sv").conversation
    flagged = taken_at(at(2026, 3, 3), counsellor=aino, language="en")
    conversation_flag(conversation=flagged, by=aino, reason="harassment", block_code=False)

    assert pks(conversations_list_for(sara, status="ended")) == [ended.pk]
    assert pks(conversations_list_for(sara, status="queued")) == [message.pk]
    assert pks(conversations_list_for(sara, kind="message")) == [message.pk]
    assert pks(conversations_list_for(sara, language="ar")) == [arabic.pk]
    assert pks(conversations_list_for(sara, counsellor=aino.pk)) == [flagged.pk, ended.pk]
    assert pks(conversations_list_for(sara, flagged=True)) == [flagged.pk]
    assert flagged.pk not in pks(conversations_list_for(sara, flagged=False))
    assert pks(conversations_list_for(aino, status="active")) == [flagged.pk]


def test_the_date_range_is_whole_days_in_the_line_time_zone(people):
    sara, aino = people["sara"], people["aino"]
    late = taken_at(at(2026, 3, 1, 23, 30), counsellor=aino)  # 21:30 UTC, still 1.3. here
    early = taken_at(at(2026, 3, 2, 0, 30), counsellor=aino)
    day = dt.date(2026, 3, 1)
    assert pks(conversations_list_for(sara, started_from=day, started_to=day)) == [late.pk]
    assert pks(conversations_list_for(sara, started_from=day + dt.timedelta(days=1))) == [early.pk]
    assert pks(conversations_list_for(sara, started_to=day)) == [late.pk]


def test_the_case_filter_finds_conversations_through_their_records(people):
    aino, sara = people["aino"], people["sara"]
    in_case = taken_at(at(2026, 3, 1), counsellor=aino)
    taken_at(at(2026, 3, 2), counsellor=aino)
    record = ContactRecord.objects.get(conversation=in_case)
    case = case_create_for_record(record=record, by=aino)
    for user in (aino, sara):
        [found] = conversations_list_for(user, case_number=case.number)
        assert found.pk == in_case.pk
        assert [r.case.number for r in found.case_records] == [case.number]
    written = f"{case.number[:3].lower()}-{case.number[3:]}"
    assert pks(conversations_list_for(sara, case_number=written)) == [in_case.pk]
    assert pks(conversations_list_for(people["ben"], case_number=case.number)) == []


def test_metadata_message_counts_and_cases_in_two_queries(people, django_assert_num_queries):
    aino, ben, sara = people["aino"], people["ben"], people["sara"]
    for n in range(4):
        chat = taken_at(
            at(2026, 3, 1 + n),
            counsellor=aino if n % 2 else ben,
            messages=[("visitor", "Hei")] * n,
        )
        if n == 2:
            case_create_for_record(record=ContactRecord.objects.get(conversation=chat), by=ben)
    listed = conversations_list_for(sara)
    with django_assert_num_queries(2):
        rows = [
            (c.counsellor.display_name, c.message_count, [r.case.number for r in c.case_records])
            for c in listed
        ]
    assert [count for _name, count, _cases in rows] == [3, 2, 1, 0]
    assert [bool(cases) for _name, _count, cases in rows] == [False, True, False, False]

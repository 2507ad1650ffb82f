from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.http import Http404

import huoli
from huoli.accounts.tests.factories import StaffFactory
from huoli.contacts.models import ContactRecord
from huoli.conversations.services.queue import conversation_take, duty_set
from huoli.conversations.tests.factories import chat_start
from huoli.core.models import AuditEntry
from huoli.core.roles import Role
from huoli.escalations.models import Escalation
from huoli.escalations.selectors import access_escalation
from huoli.escalations.services import (
    EscalationError,
    contact_record_save,
    escalation_acknowledge,
    escalation_decide,
    escalation_open,
    supervisors_to_alert,
)

pytestmark = pytest.mark.django_db


def save(record, by, **fields):
    return contact_record_save(record=record, by=by, fields=fields, concerns=[], actions=[])


def phone_record(by, **fields) -> ContactRecord:
    record, _ = save(ContactRecord(channel="phone"), by, **fields)
    return record


def test_risk_level_4_opens_one_escalation(counsellor):
    record, escalation = save(ContactRecord(channel="phone"), counsellor, risk_level=4)
    assert escalation is not None and escalation.status == Escalation.Status.OPEN
    assert escalation.opened_by == counsellor and escalation.record == record
    _, again = save(record, counsellor, risk_level=4)
    assert again is None
    assert Escalation.objects.count() == 1


def test_every_entry_point_saves_records_through_the_rule():
    """Code that saves a record calls ``escalations.services.contact_record_save``; the
    plain save under it is called from nowhere else (decision 0025)."""
    root = Path(huoli.__file__).parent
    callers = sorted(
        path.relative_to(root).as_posix()
        for path in root.rglob("*.py")
        if "tests" not in path.parts and "contact_record_fields_save" in path.read_text()
    )
    assert callers == ["contacts/services.py", "escalations/services.py"]


def test_risk_level_4_on_a_record_escalated_before_opens_no_second_one(team):
    record = phone_record(team["aino"], risk_level=3)
    first = escalation_open(by=team["aino"], record=record, assessment="Uhka")
    escalation_decide(
        escalation=first, supervisor=team["sara"], decision="no_action", reason="Ei vaaraa"
    )
    _, escalation = save(record, team["aino"], risk_level=4)
    assert escalation is None and Escalation.objects.count() == 1


def test_risk_level_4_on_a_chat_record_names_the_conversation(team):
    access = chat_start(language="fi")
    duty_set(user=team["aino"], on_duty=True)
    conversation_take(counsellor=team["aino"], conversation_id=access.conversation.pk)
    record = ContactRecord.objects.get(conversation=access.conversation)
    _, escalation = save(record, team["aino"], risk_level=4)
    assert escalation.conversation == access.conversation and escalation.record == record


def test_escalating_a_conversation_uses_its_record(team):
    access = chat_start(language="fi")
    duty_set(user=team["aino"], on_duty=True)
    conversation_take(counsellor=team["aino"], conversation_id=access.conversation.pk)
    escalation = escalation_open(by=team["aino"], conversation=access.conversation)
    record = ContactRecord.objects.get(conversation=access.conversation)
    assert escalation.record == record
    assert escalation_open(by=team["aino"], conversation=access.conversation) == escalation
    assert list(record.escalations.all()) == [escalation]


def test_an_escalated_conversations_record_starts_at_risk_level_4_unless_one_was_chosen(team):
    """Issue 21: the record of an escalated conversation starts filled in with level 4; a
    level the counsellor chose is not overwritten."""
    for chosen, expected in ((None, 4), (2, 2)):
        access = chat_start(language="fi")
        duty_set(user=team["aino"], on_duty=True)
        conversation_take(counsellor=team["aino"], conversation_id=access.conversation.pk)
        record = ContactRecord.objects.get(conversation=access.conversation)
        if chosen is not None:
            save(record, team["aino"], risk_level=chosen)
        escalation_open(by=team["aino"], conversation=access.conversation)
        record.refresh_from_db()
        assert record.risk_level == expected


def test_the_counsellor_answering_and_supervisors_escalate_a_conversation_also_after_it_ended(
    team,
):
    """``may_open_escalation`` in the service (decision 0029): the counsellor it is given to
    and supervisors, also once it has ended (the visitor may leave while the counsellor
    writes the assessment); not another counsellor or an analyst."""
    from huoli.conversations.services.queue import conversation_end

    access = chat_start(language="fi")
    duty_set(user=team["aino"], on_duty=True)
    conversation_take(counsellor=team["aino"], conversation_id=access.conversation.pk)
    for who in ("ben", "ali"):
        with pytest.raises(EscalationError) as refused:
            escalation_open(by=team[who], conversation=access.conversation, assessment="x")
        assert refused.value.code == "not_allowed", who
    assert not Escalation.objects.exists()
    assert not AuditEntry.objects.filter(action="escalation.opened").exists()
    by_supervisor = escalation_open(by=team["sara"], conversation=access.conversation)
    escalation_decide(
        escalation=by_supervisor, supervisor=team["sara"], decision="no_action", reason="x"
    )
    conversation_end(conversation=access.conversation, ended_by="visitor")
    after_end = escalation_open(by=team["aino"], conversation=access.conversation, assessment="y")
    assert after_end != by_supervisor and after_end.conversation == access.conversation
    with pytest.raises(EscalationError):
        escalation_open(by=team["ben"], conversation=access.conversation)


def test_the_supervisors_on_duty_are_alerted_or_every_supervisor_when_none_is(team):
    assert supervisors_to_alert() == [team["sara"]]
    other = StaffFactory(role=Role.SUPERVISOR)
    duty_set(user=other, on_duty=True)
    assert supervisors_to_alert() == [other]


def test_an_escalation_is_acknowledged_and_decided_with_every_step_audited(team):
    record = phone_record(team["aino"])
    escalation = escalation_open(by=team["aino"], record=record, assessment="Uhkaus koululle")
    with pytest.raises(Http404):
        access_escalation(team["ben"], escalation.pk)
    escalation_acknowledge(escalation=escalation, supervisor=team["sara"])
    with pytest.raises(EscalationError) as refused:
        escalation_decide(
            escalation=escalation, supervisor=team["sara"], decision="police", reason=""
        )
    assert refused.value.code == "reason_missing"
    escalation_decide(
        escalation=escalation,
        supervisor=team["sara"],
        decision=Escalation.Decision.POLICE,
        reason="Suunniteltu rikos, välitön vaara",
    )
    escalation.refresh_from_db()
    assert escalation.status == "decided" and escalation.supervisor == team["sara"]
    assert escalation.acknowledged_at <= escalation.decided_at
    steps = AuditEntry.objects.filter(object_type="escalation", object_id=str(escalation.pk))
    assert list(steps.order_by("seq").values_list("action", flat=True)) == [
        "escalation.opened",
        "escalation.acknowledged",
        "escalation.decided",
    ]
    call_command("verify_audit", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("SELECT reason, assessment FROM cases_escalation")
        reason, assessment = cursor.fetchone()
    assert "rikos" not in reason and "koululle" not in assessment
    with pytest.raises(EscalationError):
        escalation_decide(
            escalation=escalation, supervisor=team["sara"], decision="no_action", reason="x"
        )

import pytest
from django.db import connection
from django.utils import timezone, translation

from huoli.accounts.tests.factories import StaffFactory
from huoli.contacts.models import NON_COUNSELLING, ContactRecord, ListEntry
from huoli.contacts.selectors import next_record_to_complete, record_start_from
from huoli.contacts.services import (
    RecordError,
    case_create_for_record,
    contact_record_complete,
    contact_record_fields_save,
    contact_record_for_conversation,
)
from huoli.conversations.models import Conversation
from huoli.conversations.services.messages import message_post
from huoli.conversations.services.queue import conversation_end
from huoli.conversations.tests.factories import chat_taken
from huoli.core.models import AuditEntry
from huoli.core.roles import Role

pytestmark = pytest.mark.django_db


def entry(kind: str, code: str) -> ListEntry:
    return ListEntry.objects.get(kind=kind, code=code)


def taken_chat(counsellor, language="ar"):
    return chat_taken(counsellor=counsellor, language=language).conversation


def test_the_default_lists_are_seeded_in_three_languages():
    kinds = set(ListEntry.objects.values_list("kind", flat=True))
    assert kinds == set(ListEntry.Kind.values)
    mother = entry("contacting", "mother")
    assert (mother.name_fi, mother.name_sv, mother.name_en) == ("Äiti", "Mamma", "Mother")
    assert not ListEntry.objects.filter(name_sv="").exists()
    assert ListEntry.objects.filter(kind="concern").count() == 11


def test_taking_a_chat_starts_a_draft_record_and_the_end_closes_the_contact(counsellor):
    conversation = taken_chat(counsellor)
    record = ContactRecord.objects.get(conversation=conversation)
    assert record.status == ContactRecord.Status.DRAFT
    assert (record.channel, record.language, record.counsellor) == ("chat", "ar", counsellor)
    assert record.ended_at is None
    conversation_end(conversation=conversation, ended_by="counsellor", by=counsellor)
    record.refresh_from_db()
    assert record.ended_at is not None and record.duration_minutes == 0


def test_a_returning_visitor_gets_a_new_record_with_the_earlier_case_suggested(counsellor):
    conversation = taken_chat(counsellor)
    first = ContactRecord.objects.get(conversation=conversation)
    case = case_create_for_record(record=first, by=counsellor)
    conversation_end(conversation=conversation, ended_by="visitor")
    message_post(conversation=conversation, sender="visitor", client_id="back", body="Taas minä")
    records = ContactRecord.objects.filter(conversation=conversation).order_by("started_at")
    assert records.count() == 2
    second = records.last()
    # Writing after the end continues the conversation as messages: a message exchange.
    assert second.channel == "message" and second.case is None
    assert second.suggested_case == case
    assert second.counsellor == counsellor


def test_a_case_opened_from_a_record_has_it_attached_in_one_audited_step(counsellor):
    record = save(ContactRecord(channel="phone"), counsellor, summary="Äiti soitti")
    case = case_create_for_record(record=record, by=counsellor, title="Perhe A")
    record.refresh_from_db()
    assert (record.case, record.suggested_case) == (case, None)
    assert list(case.counsellors.all()) == [counsellor]
    steps = AuditEntry.objects.filter(action__in=["case.created", "record.attached"])
    assert list(steps.order_by("seq").values_list("action", flat=True)) == [
        "case.created",
        "record.attached",
    ]


def save(record, by, concerns=(), actions=(), **fields):
    return contact_record_fields_save(
        record=record, by=by, fields=fields, concerns=list(concerns), actions=list(actions)
    )


@translation.override("en")
def test_completing_needs_what_statistics_need(counsellor):
    record = save(ContactRecord(channel="phone"), counsellor)
    with pytest.raises(RecordError) as refused:
        contact_record_complete(record=record, by=counsellor)
    assert "type of contact" in str(refused.value)
    save(record, counsellor, contact_type=entry("contact_type", "about_someone"))
    with pytest.raises(RecordError) as refused:
        contact_record_complete(record=record, by=counsellor)
    assert str(refused.value) == (
        "To complete the record, fill in: who is contacting, concerns, risk level."
    )
    save(
        record,
        counsellor,
        concerns=[entry("concern", "far_right")],
        contacting=entry("contacting", "mother"),
        risk_level=2,
    )
    contact_record_complete(record=record, by=counsellor)
    record.refresh_from_db()
    assert record.status == "complete" and record.completed_at is not None
    assert AuditEntry.objects.filter(action="record.completed", object_id=str(record.pk)).exists()


def test_a_non_counselling_contact_needs_only_its_type(counsellor):
    record = save(
        ContactRecord(channel="phone"),
        counsellor,
        contact_type=entry("contact_type", NON_COUNSELLING),
    )
    assert contact_record_complete(record=record, by=counsellor).status == "complete"


def test_a_retired_entry_stays_on_old_records(counsellor):
    far_left = entry("concern", "far_left")
    record = save(ContactRecord(channel="phone"), counsellor, concerns=[far_left])
    far_left.active = False
    far_left.save()
    assert list(record.concerns.all()) == [far_left]


def test_summary_and_notes_are_encrypted_at_rest(counsellor):
    record = save(
        ContactRecord(channel="phone"), counsellor, summary="Poika 16 v.", notes="Isä huolissaan"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT summary, notes FROM contacts_contactrecord WHERE id = %s", [record.pk]
        )
        summary, notes = cursor.fetchone()
    assert summary.startswith("enc2:") and "Poika" not in summary
    assert notes.startswith("enc2:") and "huolissaan" not in notes


def test_a_phone_record_keeps_its_own_times(counsellor):
    started = timezone.now().replace(microsecond=0)
    record = save(
        ContactRecord(channel="phone"),
        StaffFactory(role=Role.SUPERVISOR),
        started_at=started,
        ended_at=started + timezone.timedelta(minutes=12),
    )
    assert record.duration_minutes == 12


def action_codes(record) -> set[str]:
    return set(record.actions.values_list("code", flat=True))


def test_a_chat_record_starts_filled_in_from_the_conversation(counsellor):
    """Issue 21: the counsellor no longer retypes what Huoli knows."""
    conversation = chat_taken(counsellor=counsellor, language="ar", interpreter_needed=True)
    record = ContactRecord.objects.get(conversation=conversation.conversation)
    assert (record.channel, record.language) == ("chat", "ar")
    assert (record.interpreter_used, record.interpreter_language) == (True, "ar")
    assert action_codes(record) == {"return_code"}
    assert record.risk_level is None and record.status == "draft"


def test_a_message_record_starts_filled_in_and_without_an_interpreter_none_is_claimed(
    counsellor,
):
    access = chat_taken(counsellor=counsellor, kind=Conversation.Kind.MESSAGE, language="fi")
    record = ContactRecord.objects.get(conversation=access.conversation)
    assert (record.channel, record.language) == ("message", "fi")
    assert (record.interpreter_used, record.interpreter_language) == (False, "")
    assert action_codes(record) == {"return_code"}


def test_a_caller_gets_no_return_code_and_a_returning_visitor_already_had_one():
    call = Conversation(kind="call", language="sv", interpreter_needed=False)
    start = record_start_from(call, first_contact=True)
    assert (start.channel, start.language, start.action_codes) == ("phone", "sv", ())
    chat = Conversation(kind="chat", language="fi")
    assert record_start_from(chat, first_contact=False).action_codes == ()


def test_a_returning_visitors_new_record_does_not_claim_a_return_code_given(counsellor):
    conversation = taken_chat(counsellor, language="fi")
    conversation_end(conversation=conversation, ended_by="visitor")
    message_post(conversation=conversation, sender="visitor", client_id="back", body="Taas")
    second = ContactRecord.objects.filter(conversation=conversation).order_by("started_at").last()
    assert second.channel == "message" and action_codes(second) == set()


def test_an_existing_draft_keeps_the_counsellors_edits(counsellor):
    conversation = chat_taken(
        counsellor=counsellor, language="ar", interpreter_needed=True
    ).conversation
    record = ContactRecord.objects.get(conversation=conversation)
    # The counsellor unticks the return code and the interpreter, and writes a summary.
    save(record, counsellor, interpreter_used=False, interpreter_language="", summary="Äiti")
    again = contact_record_for_conversation(conversation=conversation, counsellor=counsellor)
    assert again.pk == record.pk
    again.refresh_from_db()
    assert (again.interpreter_used, again.interpreter_language) == (False, "")
    assert action_codes(again) == set() and again.summary == "Äiti"


def test_complete_record_leads_to_the_oldest_draft_whose_contact_is_over(counsellor):
    live = ContactRecord.objects.get(conversation=taken_chat(counsellor))
    assert next_record_to_complete(counsellor) is None  # its chat still goes on
    ended = taken_chat(counsellor)
    conversation_end(conversation=ended, ended_by="visitor")
    over = ContactRecord.objects.get(conversation=ended)
    call = save(ContactRecord(channel="phone"), counsellor)
    assert next_record_to_complete(counsellor) == over
    assert next_record_to_complete(counsellor, after=over) == call
    assert next_record_to_complete(StaffFactory(role=Role.COUNSELLOR)) is None
    assert live.status == "draft"

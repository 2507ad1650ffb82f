import pytest
from django.db import connection
from django.test import override_settings

from huoli.accounts.tests.factories import StaffFactory
from huoli.conversations import return_codes
from huoli.conversations.errors import ConversationError
from huoli.conversations.models import Conversation, Feedback, Message
from huoli.conversations.services.feedback import feedback_record
from huoli.conversations.services.messages import message_post
from huoli.conversations.services.queue import conversation_end, conversation_take, duty_set
from huoli.conversations.services.start import conversation_resume, conversation_start
from huoli.conversations.tests.factories import chat_start
from huoli.core.policy import may_write
from huoli.core.roles import Role

pytestmark = pytest.mark.django_db


def test_start_gives_a_16_digit_code_stored_only_as_a_keyed_hash():
    access = chat_start(language="ar", nickname="Umm Ali")
    assert len(access.return_code) == 16 and access.return_code.isdigit()
    stored = Conversation.objects.get(pk=access.conversation.pk)
    assert access.return_code not in stored.return_code_hash
    assert stored.return_code_hash == return_codes.code_hash(access.return_code)
    with override_settings(HUOLI_RETURN_CODE_PEPPER="another pepper"):
        assert return_codes.code_hash(access.return_code) != stored.return_code_hash
    assert stored.nickname == "Umm Ali"


def test_resume_accepts_the_code_with_spaces_and_gives_a_new_token():
    access = conversation_start(kind="message", language="fi", first_message="Huoli pojasta")
    resumed = conversation_resume(code=return_codes.grouped(access.return_code))
    assert resumed.conversation.pk == access.conversation.pk
    assert resumed.token != access.token


@pytest.mark.parametrize(
    ("code", "error"), [("1234", "code_malformed"), ("12345678901234x6", "code_malformed")]
)
def test_resume_refuses_a_malformed_code(code, error):
    with pytest.raises(ConversationError) as raised:
        conversation_resume(code=code)
    assert raised.value.code == error


def test_resume_refuses_an_unknown_code():
    chat_start(language="fi")
    with pytest.raises(ConversationError) as raised:
        conversation_resume(code="0000 0000 0000 0000")
    assert raised.value.code == "code_unknown"


def test_a_repeated_client_id_is_stored_once(django_capture_on_commit_callbacks):
    conversation = chat_start(language="fi").conversation
    with django_capture_on_commit_callbacks() as callbacks:
        first, created = message_post(
            conversation=conversation, sender="visitor", client_id="abc", body="Hei"
        )
        again, created_again = message_post(
            conversation=conversation, sender="visitor", client_id="abc", body="Hei"
        )
    assert (created, created_again) == (True, False)
    assert first.pk == again.pk
    assert Message.objects.filter(conversation=conversation).count() == 1
    # One message event and one queue event; the resend only the message event again (the
    # first may have been lost with its ack), no queue news.
    assert len(callbacks) == 3


def test_messages_are_numbered_in_order():
    conversation = chat_start(language="fi").conversation
    seqs = [
        message_post(conversation=conversation, sender="visitor", client_id=str(i), body=f"m{i}")[
            0
        ].seq
        for i in range(5)
    ]
    assert seqs == [1, 2, 3, 4, 5]


@pytest.mark.parametrize(
    ("body", "code"), [("   ", "message_empty"), ("x" * 4001, "message_too_long")]
)
def test_bad_messages_are_refused_and_nothing_is_saved(body, code):
    conversation = chat_start(language="fi").conversation
    with pytest.raises(ConversationError) as raised:
        message_post(conversation=conversation, sender="visitor", client_id="a", body=body)
    assert raised.value.code == code
    assert not Message.objects.exists()
    conversation.refresh_from_db()
    assert conversation.last_seq == 0


def test_message_bodies_are_encrypted_in_the_database():
    conversation = chat_start(language="fi").conversation
    message_post(conversation=conversation, sender="visitor", client_id="a", body="salainen huoli")
    with connection.cursor() as cursor:
        cursor.execute("SELECT body FROM conversations_message")
        (raw,) = cursor.fetchone()
    assert "salainen" not in raw and raw.startswith("enc2:")


def test_take_needs_duty_and_respects_capacity(staff_factory):
    counsellor = staff_factory(role=Role.COUNSELLOR, max_chats=1)
    first = chat_start(language="fi").conversation
    second = chat_start(language="fi").conversation
    with pytest.raises(ConversationError) as raised:
        conversation_take(counsellor=counsellor, conversation_id=first.pk)
    assert raised.value.code == "not_on_duty"
    duty_set(user=counsellor, on_duty=True)
    conversation_take(counsellor=counsellor, conversation_id=first.pk)
    with pytest.raises(ConversationError) as raised:
        conversation_take(counsellor=counsellor, conversation_id=second.pk)
    assert raised.value.code == "capacity"


def test_a_conversation_cannot_be_taken_twice(staff_factory):
    one, two = staff_factory(role=Role.COUNSELLOR), staff_factory(role=Role.COUNSELLOR)
    for user in (one, two):
        duty_set(user=user, on_duty=True)
    conversation = chat_start(language="fi").conversation
    conversation_take(counsellor=one, conversation_id=conversation.pk)
    with pytest.raises(ConversationError) as raised:
        conversation_take(counsellor=two, conversation_id=conversation.pk)
    assert raised.value.code == "not_waiting"


def test_writing_after_the_end_continues_as_messages(staff_factory):
    counsellor = staff_factory(role=Role.COUNSELLOR)
    duty_set(user=counsellor, on_duty=True)
    conversation = chat_start(language="fi").conversation
    conversation_take(counsellor=counsellor, conversation_id=conversation.pk)
    conversation_end(conversation=conversation, ended_by="visitor")
    with pytest.raises(ConversationError):
        message_post(
            conversation=conversation, sender="counsellor", author=counsellor, client_id="c",
            body="too late",
        )  # fmt: skip
    message_post(conversation=conversation, sender="visitor", client_id="v", body="one more thing")
    conversation.refresh_from_db()
    assert (conversation.kind, conversation.status, conversation.awaiting_reply) == (
        "message",
        "active",
        True,
    )


def test_feedback_keeps_only_the_answer_and_the_day():
    feedback_record(answer="partly")
    assert [f.name for f in Feedback._meta.get_fields()] == ["id", "answer", "day"]
    with pytest.raises(ConversationError):
        feedback_record(answer="maybe")


def test_transfer_hands_the_chat_to_a_colleague_on_duty(staff_factory):
    from huoli.conversations.services.queue import conversation_transfer
    from huoli.core.models import AuditEntry

    aino, samira = staff_factory(role=Role.COUNSELLOR), staff_factory(role=Role.COUNSELLOR)
    duty_set(user=aino, on_duty=True)
    conversation = chat_start(language="fi").conversation
    conversation_take(counsellor=aino, conversation_id=conversation.pk)
    with pytest.raises(ConversationError) as raised:
        conversation_transfer(conversation_id=conversation.pk, by=aino, to=samira)
    assert raised.value.code == "transfer_target"
    duty_set(user=samira, on_duty=True)
    conversation_transfer(conversation_id=conversation.pk, by=aino, to=samira)
    conversation.refresh_from_db()
    assert conversation.counsellor == samira
    assert not may_write(aino, conversation)
    assert AuditEntry.objects.filter(action="conversation.transferred").count() == 1


def test_a_supervisor_who_joins_may_write(staff_factory):
    from huoli.conversations.services.queue import conversation_join

    aino, mikko = staff_factory(role=Role.COUNSELLOR), staff_factory(role=Role.SUPERVISOR)
    duty_set(user=aino, on_duty=True)
    conversation = chat_start(language="fi").conversation
    conversation_take(counsellor=aino, conversation_id=conversation.pk)
    with pytest.raises(ConversationError) as raised:
        message_post(
            conversation=conversation, sender="counsellor", author=mikko, client_id="s", body="x"
        )
    assert raised.value.code == "read_only"
    conversation_join(conversation_id=conversation.pk, supervisor=mikko)
    message, _ = message_post(
        conversation=conversation, sender="counsellor", author=mikko, client_id="s", body="Hei"
    )
    assert message.author_name == mikko.counsellor_profile.display_name


def test_flagging_with_a_blocked_code_ends_the_conversation_and_the_code_stops_working():
    from huoli.conversations.selectors import conversation_for_token
    from huoli.conversations.services.queue import conversation_flag
    from huoli.core.models import AuditEntry

    counsellor = StaffFactory(role=Role.COUNSELLOR)
    access = conversation_start(kind="message", language="fi", first_message="spam spam")
    with pytest.raises(ConversationError) as refused:
        conversation_flag(
            conversation=access.conversation, by=counsellor, reason="nope", block_code=True
        )
    assert refused.value.code == "reason_invalid"
    flagged = conversation_flag(
        conversation=access.conversation,
        by=counsellor,
        reason="automated",
        note="Sama teksti 40 kertaa",
        block_code=True,
    )
    assert flagged.status == "ended" and flagged.code_blocked_at is not None
    assert flagged.flag_reason == "automated" and flagged.flagged_by == counsellor
    assert conversation_for_token(access.token) is None  # its browser is signed out
    with pytest.raises(ConversationError) as blocked:
        conversation_resume(code=access.return_code)
    assert blocked.value.code == "code_blocked"
    actions = AuditEntry.objects.filter(object_id=str(flagged.pk)).values_list("action", flat=True)
    assert set(actions) == {"conversation.flagged", "conversation.code_blocked"}


def test_a_blocked_conversation_takes_no_visitor_message_and_stays_ended(
    django_capture_on_commit_callbacks,
):
    from huoli.conversations.services.messages import MessagePost, messages_post
    from huoli.conversations.services.queue import conversation_flag

    counsellor = StaffFactory(role=Role.COUNSELLOR)
    duty_set(user=counsellor, on_duty=True)
    access = chat_start(language="fi")
    conversation_take(counsellor=counsellor, conversation_id=access.conversation.pk)
    conversation_flag(
        conversation=access.conversation, by=counsellor, reason="threats", block_code=True
    )
    with django_capture_on_commit_callbacks() as callbacks:
        with pytest.raises(ConversationError) as refused:
            message_post(
                conversation=access.conversation, sender="visitor", client_id="v", body="again"
            )
        # The batch writer's path too, with or without the (old) browser token.
        results = messages_post(
            [
                MessagePost(access.conversation.pk, "visitor", "w1", "again"),
                MessagePost(
                    access.conversation.pk,
                    "visitor",
                    "w2",
                    "again",
                    visitor_token_hash=return_codes.token_hash(access.token),
                ),
            ]
        )
    assert refused.value.code == "conversation_closed" and str(refused.value)
    assert [result.code for result in results] == ["conversation_closed"] * 2
    assert not callbacks
    assert not Message.objects.exists()
    access.conversation.refresh_from_db()
    assert (access.conversation.status, access.conversation.ended_at is not None) == (
        "ended",
        True,
    )


def test_a_message_under_a_browser_token_replaced_by_a_return_is_refused():
    access = conversation_start(kind="message", language="fi", first_message="eka")
    resumed = conversation_resume(code=access.return_code)
    with pytest.raises(ConversationError) as refused:
        message_post(
            conversation=access.conversation,
            sender="visitor",
            client_id="old",
            body="from the first browser",
            visitor_token=access.token,
        )
    assert refused.value.code == "signed_out" and str(refused.value)
    message_post(
        conversation=access.conversation,
        sender="visitor",
        client_id="new",
        body="from the second",
        visitor_token=resumed.token,
    )
    assert list(Message.objects.order_by("seq").values_list("client_id", flat=True))[1:] == ["new"]


def test_the_queue_has_a_ceiling_and_messages_still_get_through(settings):
    settings.HUOLI_MAX_QUEUE = 2
    for _ in range(2):
        chat_start(language="fi")
    with pytest.raises(ConversationError) as full:
        chat_start(language="fi")
    assert full.value.code == "queue_full"
    assert conversation_start(kind="message", language="fi", first_message="Hei").conversation

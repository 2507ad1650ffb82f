"""The services hold the per-object rules of ``core.policy`` themselves (decision 0029): a
caller that skips the console's views (the telephone, a script) is refused the same way.
Who may do what is the table in ``core/tests/test_policy.py``; these tests check only that
each service asks it, under the conversation's row lock."""

import pytest

from huoli.accounts.tests.factories import StaffFactory
from huoli.conversations.errors import ConversationError
from huoli.conversations.models import Conversation
from huoli.conversations.services.queue import (
    conversation_end,
    conversation_flag,
    conversation_join,
    conversation_transfer,
    duty_set,
)
from huoli.conversations.tests.factories import chat_start, chat_taken
from huoli.core.models import AuditEntry
from huoli.core.roles import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(db):
    """Aino answers the chat, Ben is another counsellor on duty, Sara a supervisor."""
    aino = StaffFactory(role=Role.COUNSELLOR)
    ben = StaffFactory(role=Role.COUNSELLOR)
    sara = StaffFactory(role=Role.SUPERVISOR)
    access = chat_taken(counsellor=aino)
    duty_set(user=ben, on_duty=True)
    return {"aino": aino, "ben": ben, "sara": sara, "chat": access.conversation}


def refused(call, **kwargs) -> str:
    with pytest.raises(ConversationError) as raised:
        call(**kwargs)
    return raised.value.code


def fresh(conversation) -> Conversation:
    return Conversation.objects.get(pk=conversation.pk)


def test_only_the_counsellor_answering_transfers_it(people):
    chat, aino, ben, sara = people["chat"], people["aino"], people["ben"], people["sara"]
    assert refused(conversation_transfer, conversation_id=chat.pk, by=ben, to=ben) == (
        "not_allowed"
    )
    conversation_join(conversation_id=chat.pk, supervisor=sara)
    assert refused(conversation_transfer, conversation_id=chat.pk, by=sara, to=ben) == (
        "not_allowed"
    )
    assert fresh(chat).counsellor == aino
    assert not AuditEntry.objects.filter(action="conversation.transferred").exists()
    conversation_transfer(conversation_id=chat.pk, by=aino, to=ben)
    assert fresh(chat).counsellor == ben


def test_a_transfer_to_nobody_is_refused_as_the_form_says(people):
    chat, aino = people["chat"], people["aino"]
    assert refused(conversation_transfer, conversation_id=chat.pk, by=aino, to=None) == (
        "transfer_target"
    )


def test_a_staff_member_ends_it_only_when_the_policy_lets_them(people):
    chat, ben = people["chat"], people["ben"]
    assert refused(conversation_end, conversation=chat, ended_by="counsellor", by=ben) == (
        "not_allowed"
    )
    # A staff end names who ends it; without anyone it is not a staff member's end.
    assert refused(conversation_end, conversation=chat, ended_by="counsellor") == "not_allowed"
    assert fresh(chat).status == Conversation.Status.ACTIVE


@pytest.mark.parametrize("who", ["aino", "sara"])
def test_the_counsellor_answering_and_a_supervisor_end_it(people, who):
    ended = conversation_end(conversation=people["chat"], ended_by="counsellor", by=people[who])
    assert ended.status == Conversation.Status.ENDED


def test_a_visitor_still_ends_it_with_the_browser_token():
    access = chat_start(language="fi")
    with pytest.raises(ConversationError) as raised:
        conversation_end(conversation=access.conversation, ended_by="visitor", visitor_token="x")
    assert raised.value.code == "signed_out"
    ended = conversation_end(
        conversation=access.conversation, ended_by="visitor", visitor_token=access.token
    )
    assert ended.status == Conversation.Status.ENDED


def test_flagging_is_refused_to_whoever_the_policy_refuses(people):
    chat, aino, ben = people["chat"], people["aino"], people["ben"]
    analyst = StaffFactory(role=Role.ANALYST)
    for who in (ben, analyst):
        assert (
            refused(
                conversation_flag, conversation=chat, by=who, reason="automated", block_code=True
            )
            == "not_allowed"
        )
    conversation_end(conversation=chat, ended_by="counsellor", by=aino)
    # The counsellor who answered it may no longer flag it once it has ended.
    assert (
        refused(conversation_flag, conversation=chat, by=aino, reason="automated", block_code=False)
        == "not_allowed"
    )
    stored = fresh(chat)
    assert stored.flagged_at is None and stored.code_blocked_at is None
    assert not AuditEntry.objects.filter(action="conversation.flagged").exists()


def test_a_waiting_chat_is_flagged_and_blocked_by_any_counsellor(people):
    """Blocking ends it: the flag's rule holds there, not the end's (``may_end`` would say
    no to a counsellor who does not answer it)."""
    waiting = chat_start(language="fi").conversation
    flagged = conversation_flag(
        conversation=waiting, by=people["ben"], reason="automated", block_code=True
    )
    assert flagged.status == Conversation.Status.ENDED and flagged.code_blocked_at is not None


def test_only_a_supervisor_not_already_writing_joins(people):
    chat, aino, ben, sara = people["chat"], people["aino"], people["ben"], people["sara"]
    assert refused(conversation_join, conversation_id=chat.pk, supervisor=ben) == "not_allowed"
    assert refused(conversation_join, conversation_id=chat.pk, supervisor=aino) == "not_allowed"
    conversation_join(conversation_id=chat.pk, supervisor=sara)
    assert refused(conversation_join, conversation_id=chat.pk, supervisor=sara) == "not_allowed"
    assert AuditEntry.objects.filter(action="conversation.joined").count() == 1


def test_a_supervisor_answering_it_does_not_join_it_too(db):
    mikko = StaffFactory(role=Role.SUPERVISOR)
    chat = chat_taken(counsellor=mikko).conversation
    assert refused(conversation_join, conversation_id=chat.pk, supervisor=mikko) == "not_allowed"
    assert fresh(chat).supervisor_id is None


def test_the_state_is_named_before_the_rights(people):
    """A conversation no longer active keeps its own reason, as the views showed it."""
    chat, aino, sara = people["chat"], people["aino"], people["sara"]
    conversation_end(conversation=chat, ended_by="counsellor", by=aino)
    assert refused(conversation_join, conversation_id=chat.pk, supervisor=sara) == "not_active"
    assert refused(conversation_transfer, conversation_id=chat.pk, by=aino, to=people["ben"]) == (
        "not_active"
    )

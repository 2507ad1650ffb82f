"""The writer's batch (decision 0043): the senders' rights checked with the batch, keys
reserved so every body is bound to its row as it is inserted, and keys never reused."""

import asyncio

import pytest
from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from django.contrib.sessions.models import Session
from django.db import InterfaceError, OperationalError, connection

from huoli.console.consumers import _rights_now, _watch
from huoli.console.tests.test_consumers import staff_session
from huoli.conversations.models import Message
from huoli.conversations.services.messages import MessagePost, messages_post
from huoli.conversations.services.queue import conversation_take, duty_set
from huoli.conversations.tests.factories import chat_start
from huoli.conversations.writer import Guard, GuardRefused, writer
from huoli.core.encryption import PREFIX
from huoli.core.roles import Role

pytestmark = pytest.mark.django_db(transaction=True)


@database_sync_to_async
def _two_counsellors_in_their_chats():
    chats = []
    for _ in range(2):
        user, key = staff_session.func(role=Role.COUNSELLOR)  # the function, not the hop
        conversation = chat_start(language="fi").conversation
        duty_set(user=user, on_duty=True)
        conversation_take(counsellor=user, conversation_id=conversation.pk)
        chats.append((user, key, conversation))
    return chats


@database_sync_to_async
def _bodies(conversation):
    return list(
        Message.objects.filter(conversation=conversation)
        .order_by("seq")
        .values_list("client_id", flat=True)
    )


def _post(user, conversation, client_id):
    return MessagePost(
        conversation_id=conversation.pk,
        sender="counsellor",
        author=user,
        client_id=client_id,
        body="hei",
    )


async def test_a_sender_whose_session_is_gone_is_refused_alone_and_the_check_runs_once():
    (ana, ana_key, ana_chat), (bo, bo_key, bo_chat) = await _two_counsellors_in_their_chats()
    await database_sync_to_async(Session.objects.filter(session_key=bo_key).delete)()
    asked = []

    def rights(subjects):
        asked.append(set(subjects))
        return _rights_now(subjects)

    ana_guard = Guard(check=rights, subject=(ana.pk, ana_key, ana.role))
    bo_guard = Guard(check=rights, subject=(bo.pk, bo_key, bo.role))
    results = await asyncio.gather(
        writer().post(_post(ana, ana_chat, "a1"), ana_guard),
        writer().post(_post(bo, bo_chat, "b1"), bo_guard),
        writer().post(_post(ana, ana_chat, "a2"), ana_guard),
        return_exceptions=True,
    )
    assert results[0][:2] == (1, True) and results[2][:2] == (2, True)
    assert isinstance(results[1], GuardRefused)
    assert await _bodies(ana_chat) == ["a1", "a2"]
    assert await _bodies(bo_chat) == []
    # One batch, one check for both senders (each subject once).
    assert asked == [{(ana.pk, ana_key, ana.role), (bo.pk, bo_key, bo.role)}]


async def test_a_guard_that_fails_fails_its_batch_and_nothing_is_stored():
    ana, _key, ana_chat = (await _two_counsellors_in_their_chats())[0]

    def broken(subjects):
        raise ConnectionError("database away")

    with pytest.raises(ConnectionError):
        await writer().post(_post(ana, ana_chat, "x"), Guard(check=broken, subject=1))
    assert await _bodies(ana_chat) == []


def _stored_body(pk):
    with connection.cursor() as cursor:
        cursor.execute("SELECT body FROM conversations_message WHERE id = %s", [pk])
        return cursor.fetchone()[0]


@pytest.mark.django_db
def test_bodies_are_bound_to_their_rows_as_inserted_and_keys_are_never_reused():
    conversation = chat_start(language="fi").conversation
    posts = [
        MessagePost(conversation_id=conversation.pk, sender="visitor", client_id=f"m{i}", body=b)
        for i, b in enumerate(["yksi", "kaksi", "kolme"])
    ]
    first = [message for message, _created in messages_post(posts)]
    assert len({m.pk for m in first}) == 3
    for message in first:
        assert _stored_body(message.pk).startswith(f"{PREFIX}:")  # bound to the row (0020)
        assert Message.objects.get(pk=message.pk).body == message.body
    # The newest row goes (a purge); the next message does not take its key.
    newest = max(m.pk for m in first)
    Message.objects.filter(pk=newest).delete()
    post = MessagePost(conversation_id=conversation.pk, sender="visitor", client_id="m9", body="x")
    ((again, _created),) = messages_post([post])
    assert again.pk > newest
    assert _stored_body(again.pk).startswith(f"{PREFIX}:")


@pytest.mark.django_db
def test_a_resend_is_found_by_its_own_conversation_and_client_id_only():
    """Client ids are unique only within a conversation: a batch whose posts reuse ids that
    other conversations of the batch already hold stores every post, and a resend in the
    same batch is answered with the stored message, not stored twice."""
    one = chat_start(language="fi").conversation
    two = chat_start(language="fi").conversation

    def post(conversation, client_id, body="hei"):
        return MessagePost(
            conversation_id=conversation.pk, sender="visitor", client_id=client_id, body=body
        )

    messages_post([post(one, "a-1"), post(one, "a-2"), post(two, "a-1")])
    results = messages_post(
        [post(two, "a-2"), post(one, "a-3"), post(two, "a-1", "again"), post(one, "a-2")]
    )
    assert [created for _message, created in results] == [True, True, False, False]
    assert [message.seq for message, _created in results] == [2, 3, 1, 2]
    assert results[2][0].body == "hei"  # the stored message, not the resent body
    assert list(
        Message.objects.filter(conversation=two).order_by("seq").values_list("client_id", "seq")
    ) == [("a-1", 1), ("a-2", 2)]
    assert Message.objects.filter(conversation=one).count() == 3


@pytest.mark.django_db
def test_counsellors_batch_and_their_rights_load_no_field_one_by_one(
    django_assert_max_num_queries,
):
    """The writer loads only some fields of the conversations it locks and of the senders it
    checks: a field read that was not loaded would cost a query per row, here counted."""
    chats = _two_counsellors_in_their_chats.func() + _two_counsellors_in_their_chats.func()
    subjects = {(user.pk, key, user.role) for user, key, _chat in chats}
    # The sessions with their users, and the two-factor devices of each kind they name.
    with django_assert_max_num_queries(2):
        assert _rights_now(subjects) == subjects
    posts = [_post(user, chat, f"m-{i}") for i, (user, _key, chat) in enumerate(chats)]
    with django_assert_max_num_queries(7):
        results = messages_post(posts)
    assert [(message.seq, created) for message, created in results] == [(1, True)] * 4


@pytest.mark.django_db
def test_a_sockets_first_message_costs_its_batch_no_query_of_its_own(
    django_assert_max_num_queries,
):
    """A console socket's user is loaded afresh for the socket; the author's name its
    messages carry is read when the page watches the conversation, not in the batch."""
    chats = _two_counsellors_in_their_chats.func() + _two_counsellors_in_their_chats.func()
    posts = []
    for i, (user, _key, chat) in enumerate(chats):
        fresh = type(user).objects.get(pk=user.pk)  # as the socket's session loads it
        _watch.func(fresh, chat.pk, 0, 0)
        posts.append(_post(fresh, chat, f"m-{i}"))
    with django_assert_max_num_queries(7):
        results = messages_post(posts)
    assert [(message.seq, created) for message, created in results] == [(1, True)] * 4


@pytest.mark.django_db
@pytest.mark.parametrize("client_id", ["\x00", "m\x001", "tab\there", "\x7f"])
def test_a_client_id_with_a_control_character_is_refused_alone(client_id):
    """PostgreSQL's text refuses NUL: unchecked, one such id failed its whole batch."""
    conversation = chat_start(language="fi").conversation
    posts = [
        MessagePost(conversation_id=conversation.pk, sender="visitor", client_id=c, body="hei")
        for c in (client_id, "fine")
    ]
    refused, (message, created) = messages_post(posts)
    assert refused.code == "client_id_invalid"
    assert (message.client_id, message.seq, created) == ("fine", 1, True)


@pytest.mark.parametrize(
    "change",
    ["deactivated", "role", "password", "session expired", "session of another user"],
)
def test_the_guard_reads_each_senders_own_session_and_account(change):
    """The guard reads sessions and users in one statement of its own: each sender is
    judged by their own row's fields, and one sender's change refuses that sender only."""
    from django.utils import timezone

    chats = _two_counsellors_in_their_chats.func()
    (ana, ana_key, _chat), (bo, bo_key, _chat2) = chats
    subjects = {(user.pk, key, user.role) for user, key, _chat in chats}
    if change == "deactivated":
        type(bo).objects.filter(pk=bo.pk).update(is_active=False)
    elif change == "role":
        type(bo).objects.filter(pk=bo.pk).update(role=Role.SUPERVISOR)
    elif change == "password":
        bo.set_password("a whole new password")
        type(bo).objects.filter(pk=bo.pk).update(password=bo.password)
    elif change == "session expired":
        Session.objects.filter(session_key=bo_key).update(expire_date=timezone.now())
    else:
        subjects = {(ana.pk, ana_key, ana.role), (ana.pk, bo_key, ana.role)}
        assert _rights_now(subjects) == {(ana.pk, ana_key, ana.role)}
        return
    assert _rights_now(subjects) == {(ana.pk, ana_key, ana.role)}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's connections")
async def test_a_connection_that_died_fails_one_batch_and_the_next_is_stored_once():
    """The writer skips the health check before each batch: a connection PostgreSQL closed
    fails the batch that found it (its senders send again) and the next one reconnects."""
    conversation = await database_sync_to_async(lambda: chat_start(language="fi").conversation)()

    def post(client_id):
        return writer().post(
            MessagePost(
                conversation_id=conversation.pk, sender="visitor", client_id=client_id, body="hei"
            )
        )

    assert (await post("first")).seq == 1
    # The database thread's own connection, as the writer's batches use it.
    pid = await sync_to_async(lambda: connection.connection.info.backend_pid)()

    def terminate():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
        connection.close()

    await sync_to_async(terminate, thread_sensitive=False)()
    with pytest.raises((OperationalError, InterfaceError)):
        await post("second")
    again = await post("second")  # the page sends it again
    assert (again.seq, again.created) == (2, True)
    assert await _bodies(conversation) == ["first", "second"]

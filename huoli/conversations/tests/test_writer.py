import asyncio

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer

from huoli.conversations.errors import ConversationError
from huoli.conversations.models import Message
from huoli.conversations.services.messages import MessagePost
from huoli.conversations.tests.factories import chat_start
from huoli.conversations.writer import writer
from huoli.core.events import conversation_group
from huoli.core.layers import LocalChannelLayer

pytestmark = pytest.mark.django_db(transaction=True)


@database_sync_to_async
def start():
    return chat_start(language="fi").conversation


@database_sync_to_async
def stored(conversation):
    return list(
        Message.objects.filter(conversation=conversation)
        .order_by("seq")
        .values_list("seq", "client_id")
    )


async def test_posts_queued_together_are_stored_in_order_and_a_refused_one_alone_fails():
    conversation = await start()
    posts = [
        MessagePost(conversation_id=conversation.pk, sender="visitor", client_id=f"c{i}", body=body)
        for i, body in enumerate(["one", "", "two", "three"])
    ]
    results = await asyncio.gather(*(writer().post(post) for post in posts), return_exceptions=True)
    stored_as = [(posted.seq, posted.created) for posted in (results[0], results[2], results[3])]
    assert stored_as == [(1, True), (2, True), (3, True)]
    assert isinstance(results[1], ConversationError)
    assert results[1].code == "message_empty"
    assert await stored(conversation) == [(1, "c0"), (2, "c2"), (3, "c3")]


async def test_a_resend_in_the_same_batch_is_stored_once():
    conversation = await start()
    post = MessagePost(
        conversation_id=conversation.pk, sender="visitor", client_id="same", body="hei"
    )
    results = await asyncio.gather(writer().post(post), writer().post(post))
    # The second is a resend: stored by the first, so it checked nothing (decision 0043).
    assert [(posted.seq, posted.created) for posted in results] == [(1, True), (1, False)]
    # Both carry the stored message, for their ack.
    assert results[0].message == results[1].message
    assert (results[0].message["seq"], results[0].message["body"]) == (1, "hei")
    assert await stored(conversation) == [(1, "same")]


@pytest.mark.django_db
def test_a_batch_costs_the_same_queries_for_one_conversation_or_many(
    django_assert_max_num_queries,
):
    from huoli.conversations.services.messages import messages_post

    conversations = [chat_start(language="fi").conversation for _ in range(10)]
    posts = [
        MessagePost(conversation_id=c.pk, sender="visitor", client_id=f"m{i}", body=f"viesti {i}")
        for c in conversations
        for i in range(3)
    ]
    # Lock, look for repeats, insert, bind the bodies to their rows (decision 0020), update
    # (plus the transaction's own statements).
    with django_assert_max_num_queries(7):
        results = messages_post(posts)
    assert [message.seq for message, created in results] == [1, 2, 3] * 10
    assert Message.objects.count() == 30
    assert {c.last_seq for c in type(conversations[0]).objects.all()} == {3}


async def test_a_client_id_of_the_other_sides_message_is_refused_not_answered():
    """A resend is of the sender's own message: its ack would carry the stored one, so an
    id the other side (or another staff member) used gets no message back."""
    conversation = await start()
    visitor = MessagePost(
        conversation_id=conversation.pk, sender="visitor", client_id="same", body="hei"
    )
    assert (await writer().post(visitor)).created
    counsellor = MessagePost(
        conversation_id=conversation.pk, sender="counsellor", client_id="same", body="moi"
    )
    with pytest.raises(ConversationError) as refused:
        await writer().post(counsellor)
    assert refused.value.code == "client_id_invalid"
    again = await writer().post(visitor)  # the sender's own resend is still answered
    assert (again.seq, again.created, again.message["body"]) == (1, False, "hei")
    assert await stored(conversation) == [(1, "same")]


class SlowLayer(LocalChannelLayer):
    """Our layer, but a chat message's event reaches it only when the test says: a Redis
    that answers late, without Redis."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.holding = asyncio.Event()
        self.go_on = asyncio.Event()

    async def group_send_many(self, sends):
        if any(message["event"]["type"] == "conversation.message" for _, message in sends):
            self.holding.set()
            await self.go_on.wait()
        await super().group_send_many(sends)


async def test_a_sender_is_answered_only_once_the_messages_event_is_in_the_layers_hands(
    settings,
):
    """An ack is final: the page never sends that message again. Were it answered before its
    event was published, a worker killed in between would leave every socket of the other
    workers without the message for good (test_worker_killed, decision 0008)."""
    settings.CHANNEL_LAYERS = {
        "default": {"BACKEND": "huoli.conversations.tests.test_writer.SlowLayer"}
    }
    layer = get_channel_layer()
    conversation = await start()
    listener = await layer.new_channel()
    await layer.group_add(conversation_group(conversation.pk), listener)

    post = MessagePost(conversation_id=conversation.pk, sender="visitor", client_id="a", body="hei")
    answer = asyncio.create_task(writer().post(post))
    await asyncio.wait_for(layer.holding.wait(), timeout=10)
    await asyncio.sleep(0.2)  # long enough for an answer that does not wait for the layer
    assert not answer.done(), "answered before the event was published"
    assert await stored(conversation) == [(1, "a")]  # it is committed, though

    layer.go_on.set()
    posted = await asyncio.wait_for(answer, timeout=10)
    assert (posted.seq, posted.created) == (1, True)
    message = await asyncio.wait_for(layer.receive(listener), timeout=10)
    assert (message["event"]["type"], message["event"]["seq"]) == ("conversation.message", 1)


async def test_a_layer_that_does_not_answer_holds_the_senders_only_for_a_while(
    settings, monkeypatch, caplog
):
    """A Redis that stops answering would hold every sender's socket (its frames wait for
    the handler that waits for the ack): after ``PUBLISH_WAIT`` the sender is answered, as
    its message is stored, and the wait is logged."""
    from huoli.conversations import writer as writer_module

    monkeypatch.setattr(writer_module, "PUBLISH_WAIT", 0.3)
    monkeypatch.setattr(writer_module, "_late", {"logged_at": float("-inf"), "since": 0})
    settings.CHANNEL_LAYERS = {
        "default": {"BACKEND": "huoli.conversations.tests.test_writer.SlowLayer"}
    }
    layer = get_channel_layer()
    conversation = await start()
    post = MessagePost(conversation_id=conversation.pk, sender="visitor", client_id="a", body="hei")
    answer = asyncio.create_task(writer().post(post))
    await asyncio.wait_for(layer.holding.wait(), timeout=10)
    posted = await asyncio.wait_for(answer, timeout=10)
    assert (posted.seq, posted.created) == (1, True)
    assert not layer.go_on.is_set()  # the layer still holds the event
    assert "were not published within" in caplog.text
    layer.go_on.set()

import asyncio

import pytest
from channels.db import database_sync_to_async

from huoli.conversations.models import Message
from huoli.conversations.services import ConversationError, conversation_start
from huoli.conversations.writer import Post, writer

pytestmark = pytest.mark.django_db(transaction=True)


@database_sync_to_async
def start():
    return conversation_start(kind="chat", language="fi").conversation


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
        Post(conversation_id=conversation.pk, sender="visitor", client_id=f"c{i}", body=body)
        for i, body in enumerate(["one", "", "two", "three"])
    ]
    results = await asyncio.gather(*(writer().post(post) for post in posts), return_exceptions=True)
    assert results[0] == 1 and results[2] == 2 and results[3] == 3
    assert isinstance(results[1], ConversationError)
    assert results[1].code == "message_empty"
    assert await stored(conversation) == [(1, "c0"), (2, "c2"), (3, "c3")]


async def test_a_resend_in_the_same_batch_is_stored_once():
    conversation = await start()
    post = Post(conversation_id=conversation.pk, sender="visitor", client_id="same", body="hei")
    results = await asyncio.gather(writer().post(post), writer().post(post))
    assert results == [1, 1]
    assert await stored(conversation) == [(1, "same")]

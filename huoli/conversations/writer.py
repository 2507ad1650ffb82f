"""Commit the messages that queue up in one transaction (PERFORMANCE.md).

Sockets of one process hand their messages to this writer; whenever the database thread is
free it takes everything waiting (up to ``MAX_BATCH``) and stores it in one transaction,
each message under its own savepoint, so one refused message does not affect the others.
Every sender is answered only after that transaction commits (promise 2).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from channels.db import database_sync_to_async
from django.db import transaction

from huoli.conversations.models import Conversation
from huoli.conversations.services import ConversationError, message_post

MAX_BATCH = 200


@dataclass(frozen=True)
class Post:
    conversation_id: int
    sender: str
    client_id: str
    body: str
    author: object = None


def _store(posts: list[Post]) -> list[int | ConversationError]:
    results: list[int | ConversationError] = []
    with transaction.atomic():
        for post in posts:
            try:
                message, _created = message_post(
                    conversation=Conversation(pk=post.conversation_id),
                    sender=post.sender,
                    author=post.author,
                    client_id=post.client_id,
                    body=post.body,
                )
                results.append(message.seq)
            except ConversationError as error:
                results.append(error)
    return results


class MessageWriter:
    def __init__(self) -> None:
        self.queue: asyncio.Queue[tuple[Post, asyncio.Future]] = asyncio.Queue()
        self.worker: asyncio.Task | None = None

    async def post(self, post: Post) -> int:
        """The message's ``seq`` once committed; raises ConversationError if refused."""
        future = asyncio.get_running_loop().create_future()
        await self.queue.put((post, future))
        if self.worker is None or self.worker.done():
            self.worker = asyncio.create_task(self._run())
        return await future

    async def _run(self) -> None:
        while True:
            batch = [await self.queue.get()]
            while not self.queue.empty() and len(batch) < MAX_BATCH:
                batch.append(self.queue.get_nowait())
            try:
                results = await database_sync_to_async(_store)([post for post, _ in batch])
            except Exception as error:
                for _post, future in batch:
                    if not future.done():
                        future.set_exception(error)
                continue
            for (_post, future), result in zip(batch, results, strict=True):
                if future.done():
                    continue
                if isinstance(result, ConversationError):
                    future.set_exception(result)
                else:
                    future.set_result(result)


_writers: dict[asyncio.AbstractEventLoop, MessageWriter] = {}


def writer() -> MessageWriter:
    """The writer of the running event loop (one per server process)."""
    loop = asyncio.get_running_loop()
    if loop not in _writers:
        for stale in [known for known in _writers if known.is_closed()]:
            del _writers[stale]
        _writers[loop] = MessageWriter()
    return _writers[loop]

"""Commit the messages that queue up in one transaction (docs/performance.md).

Sockets of one process hand their messages to this writer; whenever the database thread is
free it takes everything waiting (up to ``MAX_BATCH``) and stores it in one transaction,
with a fixed number of queries (``messages_post``); a refused message fails alone.
Every sender is answered only after that transaction commits (promise 2, docs/design.md).
"""

from __future__ import annotations

import asyncio

from channels.db import database_sync_to_async

from huoli.conversations.errors import ConversationError
from huoli.conversations.services.messages import MessagePost, messages_post

MAX_BATCH = 200


def _store(posts: list[MessagePost]) -> list[int | ConversationError]:
    return [
        result if isinstance(result, ConversationError) else result[0].seq
        for result in messages_post(posts)
    ]


class MessageWriter:
    def __init__(self) -> None:
        self.queue: asyncio.Queue[tuple[MessagePost, asyncio.Future]] = asyncio.Queue()
        self.worker: asyncio.Task | None = None

    async def post(self, post: MessagePost) -> int:
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

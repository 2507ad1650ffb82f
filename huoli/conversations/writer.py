"""Commit the messages that queue up in one transaction (docs/performance.md).

Sockets of one process hand their messages to this writer; whenever the database thread is
free it takes everything waiting (up to ``MAX_BATCH``) and stores it in one transaction,
with a fixed number of queries (``messages_post``); a refused message fails alone.
Every sender is answered only after that transaction commits (promise 2, docs/design.md).

A post may carry a ``Guard``: a check of its sender's rights run in the database thread just
before the batch is stored, in its transaction (the console socket's session, account, role
and two-factor, decision 0021), for all of the batch's senders at once and without a hop of
its own to the database thread (decision 0043).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import NamedTuple

from asgiref.sync import sync_to_async
from django.db import connection, transaction

from huoli.conversations.errors import ConversationError
from huoli.conversations.services.messages import MessagePost, message_event, messages_post

MAX_BATCH = 200


@dataclass(frozen=True)
class Guard:
    """A check of the post's sender run in the database thread before its batch is stored.
    ``check`` is given every distinct ``subject`` of the batch's guards that share it and
    returns those still allowed; a post whose subject is not among them is not stored and
    its sender gets ``GuardRefused``."""

    check: Callable[[set[Hashable]], set[Hashable]]
    subject: Hashable


class GuardRefused(Exception):
    """The post's guard said no: nothing was stored."""


_REFUSED = object()


def _allowed(guards: list[Guard | None]) -> list[bool]:
    subjects: dict[Callable, set[Hashable]] = {}
    for guard in guards:
        if guard is not None:
            subjects.setdefault(guard.check, set()).add(guard.subject)
    passed = {check: check(asked) for check, asked in subjects.items()}
    return [guard is None or guard.subject in passed[guard.check] for guard in guards]


class Posted(NamedTuple):
    """A stored message: its ``seq``, whether this post stored it (False: a resend of a
    client id already stored, which checked nothing), and the message as its
    ``conversation.message`` event's payload, which the sender's ``ack`` carries (the sending
    socket is not sent the event again, docs/events.md)."""

    seq: int
    created: bool
    message: dict


def _store_on_open_connection(batch: list[tuple[MessagePost, Guard | None]]) -> list[object]:
    """``_store``, without the health check (a ``SELECT 1``) that PostgreSQL's connection gets
    before every hop to the database thread (``CONN_HEALTH_CHECKS``): a round trip more for
    every batch. A connection that failed, or is older than ``CONN_MAX_AGE``, is closed
    first, as Django does between requests; one that died unnoticed fails its batch, whose
    senders are told to send again (``unavailable``), and is replaced for the next."""
    connection.close_if_unusable_or_obsolete()
    connection.health_check_done = True
    return _store(batch)


def _store(batch: list[tuple[MessagePost, Guard | None]]) -> list[object]:
    # The guards run in the batch's transaction: on SQLite its write lock (taken at BEGIN)
    # keeps a logout from committing between the check and the store.
    with transaction.atomic():
        allowed = _allowed([guard for _post, guard in batch])
        posts = [post for (post, _guard), ok in zip(batch, allowed, strict=True) if ok]
        stored = iter(messages_post(posts) if posts else [])
    results: list[object] = []
    for ok in allowed:
        if not ok:
            results.append(_REFUSED)
            continue
        result = next(stored)
        if isinstance(result, ConversationError):
            results.append(result)
        else:
            message, created = result
            results.append(Posted(message.seq, created, message_event(message).as_payload()))
    return results


class MessageWriter:
    def __init__(self) -> None:
        self.queue: asyncio.Queue[tuple[MessagePost, Guard | None, asyncio.Future]] = (
            asyncio.Queue()
        )
        self.worker: asyncio.Task | None = None

    async def post(self, post: MessagePost, guard: Guard | None = None) -> Posted:
        """The message's ``seq`` (and whether this post stored it) once committed; raises
        ConversationError if refused, and GuardRefused if the guard said no."""
        future = asyncio.get_running_loop().create_future()
        await self.queue.put((post, guard, future))
        if self.worker is None or self.worker.done():
            self.worker = asyncio.create_task(self._run())
        return await future

    async def _run(self) -> None:
        while True:
            batch = [await self.queue.get()]
            while not self.queue.empty() and len(batch) < MAX_BATCH:
                batch.append(self.queue.get_nowait())
            try:
                # In the database thread, as database_sync_to_async runs work, without the
                # health check it adds before each hop.
                results = await sync_to_async(_store_on_open_connection)(
                    [(post, guard) for post, guard, _ in batch]
                )
            except Exception as error:
                for _post, _guard, future in batch:
                    if not future.done():
                        future.set_exception(error)
                continue
            for (_post, _guard, future), result in zip(batch, results, strict=True):
                if future.done():
                    continue
                if result is _REFUSED:
                    future.set_exception(GuardRefused())
                elif isinstance(result, ConversationError):
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

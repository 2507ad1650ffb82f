"""Commit the messages that queue up in one transaction (docs/performance.md).

Sockets of one process hand their messages to this writer; whenever the database thread is
free it takes everything waiting (up to ``MAX_BATCH``) and stores it in one transaction,
with a fixed number of queries (``messages_post``); a refused message fails alone.
Every sender is answered only after that transaction commits and its events are in the
channel layer's hands (promise 2, docs/design.md; decision 0008).

A post may carry a ``Guard``: a check of its sender's rights run in the database thread just
before the batch is stored, in its transaction (the console socket's session, account, role
and two-factor, decision 0021), for all of the batch's senders at once and without a hop of
its own to the database thread (decision 0043).

Where the batches are stored (``HUOLI_WRITER_PROCESS``, decision 0044): in the server's
database thread, or, on by default with PostgreSQL, in a writer process of the server's own
(``WriterProcess``), so that the ORM's work for a batch runs beside the event loop instead of
taking turns with it for the interpreter's lock. The answer is the same either way: results,
refusals, and the events the batch's transaction published, sent by this process's outbox.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import os
import pickle
import sys
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import InterfaceError, connection, transaction

from huoli.conversations.errors import ConversationError
from huoli.conversations.services.messages import MessagePost, message_event, messages_post
from huoli.core import events

logger = logging.getLogger(__name__)

MAX_BATCH = 200
# How long a batch's senders wait at most for its events to reach the channel layer.
PUBLISH_WAIT = 5.0


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


def _store(batch: list[tuple[MessagePost, Guard | None]]) -> list[Posted | Exception]:
    """Each post's ``Posted``, or the exception its sender gets (``ConversationError``,
    ``GuardRefused``)."""
    # The guards run in the batch's transaction: on SQLite its write lock (taken at BEGIN)
    # keeps a logout from committing between the check and the store.
    with transaction.atomic():
        allowed = _allowed([guard for _post, guard in batch])
        posts = [post for (post, _guard), ok in zip(batch, allowed, strict=True) if ok]
        stored = iter(messages_post(posts) if posts else [])
    results: list[Posted | Exception] = []
    for ok in allowed:
        if not ok:
            results.append(GuardRefused())
            continue
        result = next(stored)
        if isinstance(result, ConversationError):
            results.append(result)
        else:
            message, created = result
            results.append(Posted(message.seq, created, message_event(message).as_payload()))
    return results


async def _store_in_thread(batch: list[tuple[MessagePost, Guard | None]]) -> list:
    """In the database thread, as database_sync_to_async runs work, without the health check
    it adds before each hop; the transaction's events go to the outbox from there."""
    return await sync_to_async(_store_on_open_connection)(batch)


def frame(payload: bytes) -> bytes:
    """``payload`` as it crosses the writer process's pipe, both ways: its length first (4
    bytes)."""
    return len(payload).to_bytes(4, "big") + payload


class WriterProcess:
    """A Python process of the server's own that stores its batches
    (``python -m huoli.conversations.writer_process``), started with the server's first
    connection (``start``) and again with the next batch after it ends; it ends when the
    server does, however the server ends (its input closes).

    Batch and answer go pickled over the child's standard input and output, which only the
    two processes hold: the posts and guards one way; the results and the events the
    transaction published (``events.collected``) the other, which are sent from here. One
    batch at a time. If the child ends, or its answer cannot be read, the batch in flight
    fails as a batch does when the database is away (``InterfaceError``: its senders are told
    to send again, and a message it did commit is found by its client id)."""

    def __init__(self) -> None:
        self.starting: asyncio.Task | None = None

    def start(self) -> None:
        """Start the child now, if it is not running or starting (it takes a second to set
        Django up): the server does at its first connection, so that the first messages do
        not wait for it."""
        if self.starting is None:
            self.starting = asyncio.ensure_future(self._spawn())

    async def _spawn(self) -> asyncio.subprocess.Process:
        root = str(Path(__file__).resolve().parents[2])
        path = os.environ.get("PYTHONPATH")
        try:
            process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "huoli.conversations.writer_process",
                stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
                env={**os.environ, "PYTHONPATH": f"{root}{os.pathsep}{path}" if path else root},
            )  # fmt: skip
        except BaseException:
            self.starting = None  # the next batch tries again
            raise
        logger.info("writer process [%d] started", process.pid)
        return process

    async def _running(self) -> asyncio.subprocess.Process:
        self.start()
        assert self.starting is not None
        return await self.starting

    def _lost(self, process: asyncio.subprocess.Process) -> None:
        """Forget the child (the next batch starts another), and make sure it is gone."""
        self.starting = None
        with contextlib.suppress(ProcessLookupError):
            process.kill()

    async def store(self, batch: list[tuple[MessagePost, Guard | None]]) -> list:
        process = await self._running()
        assert process.stdin is not None and process.stdout is not None
        try:
            if process.stdin.is_closing():  # it ended while idle
                raise ConnectionResetError
            process.stdin.write(frame(pickle.dumps(batch, pickle.HIGHEST_PROTOCOL)))
            await process.stdin.drain()
            size = int.from_bytes(await process.stdout.readexactly(4), "big")
            answer = await process.stdout.readexactly(size)
        except (OSError, asyncio.IncompleteReadError) as error:
            self._lost(process)
            code = await process.wait()
            logger.warning("writer process [%d] ended (exit code %s)", process.pid, code)
            raise InterfaceError("the writer process ended") from error
        except BaseException:
            # Cancelled halfway through a batch: its answer would be read as the next one's.
            self._lost(process)
            raise
        outcome, results, sends = pickle.loads(answer)  # noqa: S301 (our own child, a private pipe)
        if outcome == "failed":
            raise results
        events.send_collected(sends)
        return results


class MessageWriter:
    def __init__(self) -> None:
        self.queue: asyncio.Queue[tuple[MessagePost, Guard | None, asyncio.Future]] = (
            asyncio.Queue()
        )
        self.worker: asyncio.Task | None = None
        self.process = WriterProcess() if settings.HUOLI_WRITER_PROCESS else None
        self.store = self.process.store if self.process is not None else _store_in_thread

    def start(self) -> None:
        """Start the writer process, where there is one, before the first batch."""
        if self.process is not None:
            self.process.start()

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
                results = await self.store([(post, guard) for post, guard, _ in batch])
            except Exception as error:
                for _post, _guard, future in batch:
                    if not future.done():
                        future.set_exception(error)
                continue
            # The senders are answered once the batch's events are in the channel layer's
            # hands, not before: a worker killed between an ack and its event's publishing
            # would leave the other workers' sockets without a message that no page sends
            # again (decision 0008). The next batch does not wait for it.
            # Not for ever, though: a Redis that stops answering would hold every sender's
            # socket (its frames wait for this one's handler); after PUBLISH_WAIT they are
            # answered anyway, as their messages are stored.
            answer = functools.partial(_answer, [future for _, _, future in batch], results)
            late = asyncio.get_running_loop().call_later(PUBLISH_WAIT, _answer_late, answer)
            events.sent().add_done_callback(functools.partial(_answer_sent, late, answer))


def _answer_sent(
    late: asyncio.TimerHandle, answer: Callable[[], None], _sent: asyncio.Future
) -> None:
    late.cancel()
    answer()


_late = {"logged_at": float("-inf"), "since": 0}


def _answer_late(answer: Callable[[], None]) -> None:
    """Logged once a minute at most: a Redis away would otherwise log every batch."""
    _late["since"] += 1
    now = time.monotonic()
    if now - _late["logged_at"] >= 60:
        logger.warning(
            "%d batch(es) whose events were not published within %.0f s; their senders "
            "were answered anyway",
            _late["since"],
            PUBLISH_WAIT,
        )
        _late["logged_at"], _late["since"] = now, 0
    answer()


def _answer(futures: list[asyncio.Future], results: list) -> None:
    for future, result in zip(futures, results, strict=True):
        if future.done():
            continue
        if isinstance(result, Exception):
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

"""Timestamps along a chat message's path through a Huoli server, for ``bench/chat_load.py
--trace`` (not part of Huoli; never on a server's path outside the bench).

Python imports ``sitecustomize`` at start-up from the first directory of ``sys.path`` that
has one: the bench puts this directory on the server's ``PYTHONPATH`` (and so on its writer
process's) and names a directory in ``HUOLI_TRACE_DIR``. Once Django is set up, the functions
a message passes are wrapped (``_wrap``; ``huoli/tests/test_bench_trace.py`` checks each still
notes its stage) to note ``time.perf_counter()`` (CLOCK_MONOTONIC, the same clock in
every process of the machine, the load generator's too) with the message's
``conversation:client_id``: its frame received, queued for the writer, its batch begun,
storing, committed (its event published), the batch answered, its ack sent, its event at the
counsellor's socket and sent there. Each process writes its notes to ``HUOLI_TRACE_DIR/<pid>.tsv``:
every few thousand notes, when it exits, and when a SIGTERM ends it (uvicorn raises the
signal again after its shutdown, so its ``atexit`` does not run).

A note costs a microsecond or two; a traced run is a little slower than an untraced one, so
compare traced runs with traced runs.
"""

from __future__ import annotations

import atexit
import json
import os
import signal
import time

TRACE_DIR = os.environ.get("HUOLI_TRACE_DIR")
_DUMP_EVERY = 5000
_notes: list[tuple[str, str, float, str]] = []
_clock = time.perf_counter


def _note(stage: str, key: str, extra: object = "") -> None:
    _notes.append((stage, key, _clock(), str(extra)))
    if len(_notes) >= _DUMP_EVERY:
        _dump()


def _dump() -> None:
    if not _notes or not TRACE_DIR:
        return
    lines = [f"{stage}\t{key}\t{at:.6f}\t{extra}\n" for stage, key, at, extra in _notes]
    _notes.clear()
    with open(os.path.join(TRACE_DIR, f"{os.getpid()}.tsv"), "a") as file:
        file.writelines(lines)


def _on_sigterm(signum, frame) -> None:
    _dump()
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    os.kill(os.getpid(), signal.SIGTERM)


def _key(conversation_id, client_id) -> str:
    return f"{conversation_id}:{client_id}"


def _post_key(post) -> str:
    return _key(post.conversation_id, post.client_id)


def _wrap() -> None:
    from huoli.conversations import writer
    from huoli.core import consumers, events
    from huoli.public import consumers as public

    receive = public.VisitorConsumer.receive

    async def visitor_receive(self, text_data=None, bytes_data=None):
        try:
            frame = json.loads(text_data)
            if frame.get("type") == "message":
                # The bench's body carries the moment the load generator sent it.
                sent = json.loads(frame["body"])["t"]
                _note("received", _key(self.conversation_id, frame["client_id"]), sent)
        except (TypeError, ValueError, KeyError, AttributeError):
            pass
        return await receive(self, text_data, bytes_data)

    public.VisitorConsumer.receive = visitor_receive

    post = writer.MessageWriter.post

    async def writer_post(self, message_post, guard=None):
        _note("queued", _post_key(message_post))
        return await post(self, message_post, guard)

    writer.MessageWriter.post = writer_post

    def around_store(store):
        async def traced(*args):
            batch = args[-1]
            for message_post, _guard in batch:
                _note("batch", _post_key(message_post), len(batch))
            try:
                return await store(*args)
            finally:
                for message_post, _guard in batch:
                    _note("answered", _post_key(message_post))

        return traced

    writer.WriterProcess.store = around_store(writer.WriterProcess.store)
    writer._store_in_thread = around_store(writer._store_in_thread)

    store_on_open_connection = writer._store_on_open_connection

    def traced_store(batch):
        for post, _guard in batch:
            _note("storing", _post_key(post))
        return store_on_open_connection(batch)

    writer._store_on_open_connection = traced_store

    publish = events.publish

    def traced_publish(group, event):
        # Called as the batch's transaction commits (``publish_on_commit``), in the process
        # and thread that stored it.
        if event.type == "conversation.message":
            _note("committed", _key(event.conversation_id, event.client_id))
        return publish(group, event)

    events.publish = traced_publish

    send_ack = consumers.FrameConsumer.send_ack

    async def traced_ack(self, client_id, posted):
        await send_ack(self, client_id, posted)
        _note("acked", _key(posted.message["conversation_id"], client_id))

    consumers.FrameConsumer.send_ack = traced_ack

    huoli_event = consumers.FrameConsumer.huoli_event

    async def traced_event(self, message):
        event = message["event"]
        if event.get("type") != "conversation.message" or self.side != "counsellor":
            return await huoli_event(self, message)
        key = _key(event.get("conversation_id"), event.get("client_id"))
        _note("event", key)
        await huoli_event(self, message)
        _note("delivered", key)

    consumers.FrameConsumer.huoli_event = traced_event


if TRACE_DIR:
    import django

    _setup = django.setup

    def _setup_and_wrap(*args, **kwargs):
        _setup(*args, **kwargs)
        _wrap()

    django.setup = _setup_and_wrap
    atexit.register(_dump)
    signal.signal(signal.SIGTERM, _on_sigterm)

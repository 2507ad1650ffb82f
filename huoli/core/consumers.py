"""What every Huoli websocket consumer shares: paced, validated JSON frames, clear errors,
and forwarding of the events services publish (docs/events.md)."""

from __future__ import annotations

import asyncio
import functools
import json
import logging
from collections.abc import Awaitable, Callable

from channels.consumer import get_handler_name
from channels.exceptions import StopConsumer
from channels.generic.websocket import AsyncWebsocketConsumer
from channels.layers import get_channel_layer
from django.db import InterfaceError, OperationalError
from django.http import Http404

from huoli.core.errors import DomainError
from huoli.core.frames import FrameError, FrameRate, parse_frame

logger = logging.getLogger(__name__)


# How many of its own messages a socket remembers, to skip their events (``send_ack``). An
# event comes for each message stored, so an entry usually lives for a moment; one whose event
# was lost (a full channel, a Redis reconnect) is pushed out by newer ones.
OWN_MESSAGES_KEPT = 32
# How long the periodic look waits for a seq it read to reach the page by the usual way
# before it tells the page of it (``send_latest``).
LATEST_GRACE = 2.0


class FrameConsumer(AsyncWebsocketConsumer):
    frame_rate = 10.0
    frame_burst = 20
    # Typing events from this side are not echoed back to it.
    side = ""
    # Set once the socket is closing: nothing more is sent on it.
    closing = False
    # (conversation id, client id) of the messages this socket stored, whose
    # ``conversation.message`` it does not send again: its ``ack`` carried them.
    own_messages: dict[tuple[int, str], None]
    # conversation id -> the highest message seq this socket has given its page (events,
    # acks, the answers to hello, watch and catch_up, or the seq the page said it had):
    # a higher one at the periodic look is a last message whose event was lost (``latest``).
    seqs_given: dict[int, int]

    async def __call__(self, scope, receive, send):
        """Channels' ``AsyncConsumer.__call__``, dispatching with ``dispatch_serially``."""
        self.scope = scope
        self.own_messages = {}
        self.seqs_given = {}
        self.channel_layer = get_channel_layer(self.channel_layer_alias)
        sources = [receive]
        if self.channel_layer is not None:
            self.channel_name = await self.channel_layer.new_channel()
            self.channel_receive = functools.partial(self.channel_layer.receive, self.channel_name)
            sources.append(self.channel_receive)
        self.base_send = send
        try:
            await dispatch_serially(sources, self.dispatch)
        finally:
            # The channel goes with the socket: a layer's ``receive`` lets it go only when
            # cancelled while waiting, not when its task ended holding a message.
            discard = getattr(self.channel_layer, "channel_discard", None)
            if discard is not None:
                await discard(self.channel_name)

    async def dispatch(self, message):
        """Run the handler of one ASGI or channel-layer message.

        Channels' own ``dispatch`` first closes stale database connections, which is a hop
        to the one database thread for every frame and every event, so each delivery waited
        behind the batch the writer was committing. Our handlers reach the database only
        through ``database_sync_to_async``, which closes stale connections itself, in that
        thread; so delivery skips the hop (decision 0008).
        """
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def send_json(self, payload: dict) -> None:
        await self.send(text_data=json.dumps(payload))

    async def send_ack(self, client_id: str, posted) -> None:
        """Tell the sender its message is stored, with the message as every other socket of
        the conversation gets it (``Posted.message``, a ``conversation.message``): the page
        renders it from the ``ack``, and this socket skips the event when it comes (it is
        published before the ack goes, ``MessageWriter``; the lock of ``dispatch_serially``
        makes it wait until this frame's handler is done). A frame less for every message
        (decision 0043). A resend's event is published again (``messages_post``), and
        skipped here the same."""
        own = self.own_messages
        own[(posted.message["conversation_id"], posted.message["client_id"])] = None
        while len(own) > OWN_MESSAGES_KEPT:
            del own[next(iter(own))]  # the oldest
        await self.send_json(
            {"type": "ack", "client_id": client_id, "seq": posted.seq, "message": posted.message}
        )
        self.given(posted.message["conversation_id"], posted.seq)

    def given(self, conversation_id: int, seq: int) -> None:
        if seq > self.seqs_given.get(conversation_id, 0):
            self.seqs_given[conversation_id] = seq

    async def send_messages(
        self, conversation_id: int, after: int, frames: list[dict], *, more: bool = False
    ) -> None:
        """The answer to a page that has the conversation's messages up to ``after``
        (``hello``, ``watch``, ``catch_up``): ``frames``, its messages after that (and, for
        staff, its notes); with ``more`` (the answer held as many messages as one may,
        ``MESSAGES_PER_ANSWER``) a ``more`` frame with the last one's seq, from which the
        page asks again."""
        self.given(conversation_id, after)
        last = after
        for frame in frames:
            await self.send_json(frame)
            if frame["type"] == "conversation.message":
                last = frame["seq"]
                self.given(conversation_id, last)
        if more:
            await self.send_json(
                {"type": "more", "conversation_id": conversation_id, "last_seq": last}
            )

    async def send_latest(self, conversation_id: int, last_seq: int, frame: dict) -> None:
        """At the periodic look: ``frame`` (a ``latest``) when the conversation has a message
        after the last this socket gave its page, whose event the channel layer lost and no
        later message reveals; the page asks for it (shared/message_gaps.js, decision
        0008). The look runs beside the socket's handlers, so it may read a seq whose event
        or ack is still on its way here: it is told only if it has not come after
        ``LATEST_GRACE`` seconds. Once for each such seq: the page remembers what it lacks."""
        if last_seq <= self.seqs_given.get(conversation_id, 0):
            return
        await asyncio.sleep(LATEST_GRACE)
        if last_seq > self.seqs_given.get(conversation_id, 0) and not self.closing:
            self.given(conversation_id, last_seq)
            await self.send_json(frame)

    async def receive(self, text_data=None, bytes_data=None):
        if not hasattr(self, "rate"):
            self.rate = FrameRate(rate=self.frame_rate, burst=self.frame_burst)
        if not self.rate.allow():
            await self.send_json({"type": "error", "code": "rate_limited"})
            return
        client_id = None
        try:
            frame = parse_frame(text_data)
            if isinstance(frame.get("client_id"), str):
                client_id = frame["client_id"][:64]
            await self.handle_frame(frame)
        except FrameError as error:
            await self.send_json({"type": "error", "code": error.code})
        except Http404:
            await self.send_json({"type": "error", "code": "not_found"})
        except DomainError as error:
            await self.send_json(
                {"type": "error", "code": error.code, "message": str(error), "client_id": client_id}
            )
        except (OperationalError, InterfaceError) as error:
            # The database is away for a moment: nothing was committed, so nothing was
            # acknowledged; the page keeps the message and sends it again (chat.js).
            logger.warning(
                "database unavailable for a %s frame: %s", self.side, type(error).__name__
            )
            await self.send_json(
                {"type": "error", "code": "unavailable", "retry": True, "client_id": client_id}
            )

    async def handle_frame(self, frame: dict) -> None:
        raise NotImplementedError

    async def huoli_event(self, message):
        event = message["event"]
        kind = event.get("type")
        if kind == "conversation.typing" and event.get("sender") == self.side:
            return
        if kind == "conversation.message":
            mine = (event.get("conversation_id"), event.get("client_id"))
            if mine in self.own_messages:
                del self.own_messages[mine]
                return  # this socket's own message: its ack carried it
        await self.send(text_data=event_text(message))
        if kind == "conversation.message":
            self.given(event["conversation_id"], event["seq"])


def event_text(message: dict) -> str:
    """The event as the JSON text sent to the browser, encoded once for every socket of
    this process that receives the same layer message (the in-memory layer hands them one
    dict). Kept beside the event it was made from: a consumer that sends a changed event
    builds a new message, which encodes its own."""
    event = message["event"]
    cached = message.get("_text")
    if cached is not None and cached[0] is event:
        return cached[1]
    text = json.dumps(event)
    message["_text"] = (event, text)
    return text


async def dispatch_serially(
    sources: list[Callable[[], Awaitable[dict]]], dispatch: Callable[[dict], Awaitable[None]]
) -> None:
    """Hand each message of the sources (the socket's ASGI ``receive``, the channel layer's)
    to ``dispatch``, one at a time, until a handler raises ``StopConsumer`` (the socket
    closed) or an error, which ends the others' waits.

    What Channels' ``await_many_dispatch`` does, without its new task and ``asyncio.wait``
    for every message: each source has one task that takes its next message and dispatches
    it under a lock, so handlers still never overlap, and a source holds at most one message
    while another's handler runs, as before (decision 0043). Nothing is dispatched once a
    handler has ended it, and each task lets the event loop run others between messages.
    """
    lock = asyncio.Lock()
    ended = False

    async def pump(source: Callable[[], Awaitable[dict]]) -> None:
        nonlocal ended
        this = asyncio.current_task()
        while True:
            message = await source()
            if this.cancelling():  # a source that swallowed the cancellation
                raise asyncio.CancelledError
            async with lock:
                if ended:
                    return
                try:
                    await dispatch(message)
                except BaseException:
                    ended = True
                    raise
            if this.cancelling():
                # The socket was ended while a handler ran and the handler swallowed the
                # cancellation (waiting for a task of its own it cancelled, as
                # ``VisitorConsumer._leave`` does): end here, not on the source for ever.
                raise asyncio.CancelledError
            # A source that has its next message at once would otherwise keep the loop.
            await asyncio.sleep(0)

    pumps = [asyncio.create_task(pump(source)) for source in sources]
    try:
        done, _pending = await asyncio.wait(pumps, return_when=asyncio.FIRST_COMPLETED)
        for task in done:
            task.result()
    except StopConsumer:
        pass
    finally:
        # Cancelled once, and awaited however long their cleanup takes: channels_redis's
        # ``receive`` unsubscribes the channel when cancelled, under the shard's lock, and a
        # second cancellation there left the subscription behind and logged an error (for
        # every socket, when a thousand closed at once).
        for task in pumps:
            task.cancel()
        await asyncio.wait(pumps)
        for task in pumps:
            if not task.cancelled():
                task.exception()  # retrieved: the first one was raised above

"""Real-time events, published by services only, and only after their transaction commits.

Threat answered: a client must never hear about a row that was rolled back (promise 2,
docs/design.md). Every event is a dataclass here and is documented in docs/events.md; consumers
forward it to the browser as ``{"type": ..., **fields}``.
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, fields
from typing import ClassVar

from asgiref.sync import SyncToAsync, async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

logger = logging.getLogger(__name__)

# Channel-layer message type; a consumer handles it in ``huoli_event``.
LAYER_MESSAGE_TYPE = "huoli.event"


@dataclass(frozen=True)
class Event:
    type: ClassVar[str]

    def as_payload(self) -> dict:
        # Not ``asdict``, which deep-copies every value: events hold plain, frozen values.
        return {"type": self.type, **{f.name: getattr(self, f.name) for f in fields(self)}}


@dataclass(frozen=True)
class StaffProfileUpdated(Event):
    """A staff member's own console tabs learn their new display name, languages and how
    they want to be told of what needs them (``notify_*``, console/static/console/notify.js)."""

    type: ClassVar[str] = "staff.profile_updated"
    display_name: str
    languages: list[str]
    max_chats: int
    notify_sound: bool = True
    notify_volume: int = 60
    notify_desktop: bool = False


@dataclass(frozen=True)
class ConversationMessage(Event):
    """A committed message; both sides render it and remember ``seq`` as seen."""

    type: ClassVar[str] = "conversation.message"
    conversation_id: int
    seq: int
    sender: str
    author_name: str
    client_id: str
    body: str
    created_at: str


@dataclass(frozen=True)
class ConversationJoined(Event):
    """A counsellor took the chat; the visitor sees their display name."""

    type: ClassVar[str] = "conversation.joined"
    conversation_id: int
    counsellor_name: str


@dataclass(frozen=True)
class ConversationEnded(Event):
    type: ClassVar[str] = "conversation.ended"
    conversation_id: int
    ended_by: str


@dataclass(frozen=True)
class ConversationBecameMessage(Event):
    """A waiting chat became a written message answered later: the visitor chose it after
    the waiting limit (``reason`` "chosen"), or the line closed or the last counsellor went
    off duty ("closed"). The visitor's socket adds ``text``, in the page's language."""

    type: ClassVar[str] = "conversation.became_message"
    conversation_id: int
    reason: str


@dataclass(frozen=True)
class ConversationSignedOut(Event):
    """The visitor's browser token changed (a return elsewhere, or a blocked code): each
    visitor socket checks its token against the database and closes if it is not current."""

    type: ClassVar[str] = "conversation.signed_out"
    conversation_id: int


@dataclass(frozen=True)
class ConversationTyping(Event):
    """Not stored: someone is typing in the conversation."""

    type: ClassVar[str] = "conversation.typing"
    conversation_id: int
    sender: str


@dataclass(frozen=True)
class QueuePosition(Event):
    """Sent to a waiting visitor: their place in the queue and a rough wait."""

    type: ClassVar[str] = "queue.position"
    conversation_id: int
    position: int
    wait_minutes: int


@dataclass(frozen=True)
class QueueChanged(Event):
    """Sent to counsellors on duty: the queue or the duty list changed; fetch it again.
    ``arrived`` names what came into the queue (``chat``, ``call``, ``message``, ``callback``)
    when that is the change, so the console can tell the counsellor; never what it says."""

    type: ClassVar[str] = "queue.changed"
    arrived: str = ""


@dataclass(frozen=True)
class ConversationActivity(Event):
    """Sent to ``alerts.<answering counsellor's id>`` (every console page of theirs): a
    visitor wrote (unread markers, and the notice of console/static/console/notify.js)."""

    type: ClassVar[str] = "conversation.activity"
    conversation_id: int
    unread: int


@dataclass(frozen=True)
class EscalationOpened(Event):
    """Sent to the supervisors on duty (or every supervisor when none is): an alert."""

    type: ClassVar[str] = "escalation.opened"
    escalation_id: int
    opened_by: str
    url: str


@dataclass(frozen=True)
class EscalationUpdated(Event):
    """Sent to whoever opened the escalation and to every active supervisor: a supervisor
    acknowledged it or decided (the supervisors' repeating alert stops)."""

    type: ClassVar[str] = "escalation.updated"
    escalation_id: int
    status: str
    status_label: str
    supervisor: str


@dataclass(frozen=True)
class StaffRevoked(Event):
    """Sent to ``alerts.<user id>``: the staff member logged out (``session`` is a fingerprint
    of that session, see ``accounts.selectors.session_fingerprint``), or lost rights (the
    account deactivated or removed, its role changed, its two-factor device removed:
    ``session`` empty, every session). The console socket closes itself (4401); the browser
    never sees this event."""

    type: ClassVar[str] = "staff.revoked"
    session: str


@dataclass(frozen=True)
class ConversationReleased(Event):
    """Sent to ``alerts.<user id>`` of the counsellor a conversation was transferred away
    from: their sockets stop hearing it at once, and the page leaves it."""

    type: ClassVar[str] = "conversation.released"
    conversation_id: int


@dataclass(frozen=True)
class StaffNoteAdded(Event):
    """Sent to ``conversation_staff.<id>`` only (never to ``conversation.<id>``, where the
    visitor's socket is): a private note between the staff of a live conversation."""

    type: ClassVar[str] = "conversation.staff_note"
    conversation_id: int
    note_id: int
    author_name: str
    client_id: str
    body: str
    created_at: str


def conversation_group(conversation_id: int) -> str:
    """Every socket showing one conversation: the visitor's and the counsellors'."""
    return f"conversation.{conversation_id}"


def conversation_staff_group(conversation_id: int) -> str:
    """The console sockets that ``watch`` one conversation, never the visitor's: the staff's
    private notes (``StaffNoteAdded``)."""
    return f"conversation_staff.{conversation_id}"


QUEUE_GROUP = "queue"


def staff_group(user_id: int) -> str:
    """Every console websocket of one staff member joins this group."""
    return f"staff.{user_id}"


def alerts_group(user_id: int) -> str:
    """Every console websocket of one staff member, conversation pages included: alerts."""
    return f"alerts.{user_id}"


def _server_loop() -> asyncio.AbstractEventLoop | None:
    """The server's event loop when called from one of its worker threads, else None."""
    loop = getattr(SyncToAsync.threadlocal, "main_event_loop", None)
    pid = getattr(SyncToAsync.threadlocal, "main_event_loop_pid", None)
    if loop is not None and pid == os.getpid() and loop.is_running():
        return loop
    return None


# In an outbox's pending list, in place of a group: a future to resolve once the sends
# before it are handed to the channel layer (``_Outbox.sent``).
_SENT = object()


class _Outbox:
    """Events handed from the database thread to the server's event loop, in order.

    One wake-up of the loop per burst, not a task and a cross-thread future per event: a
    batch of messages publishes two or three events per message (decision 0043)."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.lock = threading.Lock()
        self.pending: list[tuple[str, dict]] = []
        self.draining = False
        self.task: asyncio.Task | None = None
        self.in_flight: list[asyncio.Future] = []  # ``sent`` futures of the burst being sent

    def put(self, group: str, message: dict) -> None:
        with self.lock:
            self.pending.append((group, message))
            if self.draining:
                return
            self.draining = True
        try:
            self.loop.call_soon_threadsafe(self._start)
        except RuntimeError:  # the loop closed meanwhile: nothing will drain this outbox
            with self.lock:
                self.draining = False
            raise

    def sent(self) -> asyncio.Future:
        """Done once everything put so far has been handed to the channel layer (or its
        send failed, which is logged). From the event loop."""
        done = self.loop.create_future()
        with self.lock:
            if not self.draining and not self.pending:  # nothing pending, nothing on its way
                done.set_result(None)
                return done
            self.pending.append((_SENT, done))
            if self.draining:
                return done
            self.draining = True  # sends left by an ended drain: a new one takes them
        self.loop.call_soon(self._start)
        return done

    def _start(self) -> None:
        self.task = self.loop.create_task(self._drain())
        self.task.add_done_callback(self._drained)

    async def _drain(self) -> None:
        layer = get_channel_layer()
        while True:
            with self.lock:
                sends, self.pending = self.pending, []
                if not sends:
                    self.draining = False
                    return
            self.in_flight = [done for group, done in sends if group is _SENT]
            if self.in_flight:
                sends = [send for send in sends if send[0] is not _SENT]
            try:
                if sends:
                    await _send_all(layer, sends)
            except Exception:
                # The rest of this burst is lost, as a single failed send was: messages
                # come back by catch-up on the next (re)connect, alerts do not.
                logger.exception("publishing %d event(s) failed", len(sends))
            for done in self.in_flight:
                if not done.done():
                    done.set_result(None)
            self.in_flight = []

    def _drained(self, task: asyncio.Task) -> None:
        """A drain that ended without emptying the outbox (cancelled, as when the loop shuts
        down, even before it began): the next ``put`` or ``sent`` starts another, and whoever
        waits for this one goes on rather than hanging (their events may not have gone)."""
        if not task.cancelled() and task.exception() is None:
            return
        with self.lock:
            self.draining = False
            waiting = [done for group, done in self.pending if group is _SENT]
            self.pending = [send for send in self.pending if send[0] is not _SENT]
            waiting += self.in_flight
            self.in_flight = []
        for done in waiting:
            if not done.done():
                done.set_result(None)


async def _send_all(layer, sends: list[tuple[str, dict]]) -> None:
    """In order; in one round trip where the layer can (``core.layers``)."""
    send_many = getattr(layer, "group_send_many", None)
    if send_many is not None:
        await send_many(sends)
        return
    for group, message in sends:
        await layer.group_send(group, message)


_outboxes: dict[asyncio.AbstractEventLoop, _Outbox] = {}
_outboxes_lock = threading.Lock()


def _outbox(loop: asyncio.AbstractEventLoop) -> _Outbox:
    with _outboxes_lock:
        if loop not in _outboxes:
            for stale in [known for known in _outboxes if known.is_closed()]:
                del _outboxes[stale]
            _outboxes[loop] = _Outbox(loop)
        return _outboxes[loop]


_collecting = threading.local()


@contextmanager
def collected() -> Iterator[list[tuple[str, dict]]]:
    """Keep what this thread publishes meanwhile in the list, unsent: the writer process
    (conversations/writer.py) hands its events to the server that sent it the batch, which
    sends them with ``send_collected``."""
    sends: list[tuple[str, dict]] = []
    _collecting.sends = sends
    try:
        yield sends
    finally:
        _collecting.sends = None


def send_collected(sends: list[tuple[str, dict]]) -> None:
    """Send, in order, events that ``collected`` kept in another process. From the server's
    event loop; they go through the same outbox as its database thread's events."""
    if sends and get_channel_layer() is not None:
        outbox = _outbox(asyncio.get_running_loop())
        for group, message in sends:
            outbox.put(group, message)


def sent() -> asyncio.Future:
    """Done once every event this server process has published so far is in the channel
    layer's hands. The writer answers a message's sender only then (``MessageWriter``): an
    ``ack`` means stored *and* announced, so a worker killed after the ack loses no event
    that the other workers' sockets were owed (decision 0008)."""
    return _outbox(asyncio.get_running_loop()).sent()


def publish(group: str, event: Event) -> None:
    """Send now. Use ``publish_on_commit`` from services.

    From a server worker thread the send is handed to the event loop without waiting, so
    the thread that runs database work goes on at once (docs/performance.md); sends keep their
    order, and clients order messages by ``seq`` anyway.
    """
    # The group goes along, so a consumer can tell a conversation's events from its own.
    message = {"type": LAYER_MESSAGE_TYPE, "group": group, "event": event.as_payload()}
    collecting = getattr(_collecting, "sends", None)
    if collecting is not None:
        collecting.append((group, message))
        return
    layer = get_channel_layer()
    if layer is None:
        return
    loop = _server_loop()
    if loop is not None:
        _outbox(loop).put(group, message)
        return
    async_to_sync(layer.group_send)(group, message)


def publish_on_commit(group: str, event: Event) -> None:
    """Send once the current transaction commits; nothing at all if it rolls back."""
    transaction.on_commit(lambda: publish(group, event), robust=True)

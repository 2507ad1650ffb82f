"""The console's websocket: one per open console tab.

It joins the staff member's own group, the queue group when they counsel, and the group of
every conversation they ``watch`` (each watch is an audited read), with that conversation's
staff group (``conversation_staff.<id>``: the private notes the visitor never hears).

Threat answered: a socket that outlives its user's rights (issue 13, decision 0021). The
socket has only the rights its user has now: services close it at logout, deactivation, a
role change or a removed two-factor device (``staff.revoked``), and take it out of a
conversation transferred away (``conversation.released``); on its own it checks the session,
the account, the role and two-factor again before acting on a frame (at once for ``watch``
and ``message``, at most ``fresh_seconds`` old for the others) and every
``recheck_seconds`` while idle, so an expired or deleted session closes it too.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from urllib.parse import parse_qs

from channels.db import database_sync_to_async

from huoli.accounts.selectors import session_fingerprint, staff_socket_role, staff_socket_roles
from huoli.conversations.models import Conversation, Message
from huoli.conversations.selectors import access_conversation, staff_notes_after
from huoli.conversations.services.messages import (
    MessagePost,
    conversation_mark_seen,
    message_frames_after,
    typing_signal,
)
from huoli.conversations.services.staff_notes import staff_note_add, staff_note_event
from huoli.conversations.writer import Guard, GuardRefused, Posted, writer
from huoli.core.consumers import FrameConsumer
from huoli.core.events import (
    QUEUE_GROUP,
    ConversationReleased,
    alerts_group,
    conversation_group,
    conversation_staff_group,
    staff_group,
)
from huoli.core.frames import FrameError, int_field, str_field
from huoli.core.policy import (
    conversations_scope,
    may_write,
    may_write_staff_note,
    user_has_permission,
)

CLOSE_UNAUTHORISED = 4401
CONVERSATION_GROUP_PREFIX = conversation_group(0)[:-1]
STAFF_GROUP_PREFIX = conversation_staff_group(0)[:-1]

logger = logging.getLogger(__name__)


@database_sync_to_async
def _role_now(user_id, session_key) -> str | None:
    return staff_socket_role(user_id=user_id, session_key=session_key)


def _rights_now(subjects: set) -> set:
    """Of (user id, session key, role) triples, those whose session, account, role and
    two-factor are still what the socket opened with (the message writer's ``Guard``)."""
    roles = staff_socket_roles((user_id, key) for user_id, key, _role in subjects)
    return {(user_id, key, role) for user_id, key, role in subjects if roles[user_id, key] == role}


def _still_open_to(user, conversation_id: int) -> Conversation | None:
    """The conversation if the user may still open it. Not a new look, so not audited."""
    return conversations_scope(user, Conversation.objects.all()).filter(pk=conversation_id).first()


@database_sync_to_async
def _may_write_now(user, conversation_id: int) -> tuple[bool, int] | None:
    """Whether the user may still write in the conversation, and its highest message
    ``seq``; None when they may no longer open it."""
    conversation = _still_open_to(user, conversation_id)
    return None if conversation is None else (may_write(user, conversation), conversation.last_seq)


@database_sync_to_async
def _catch_up(user, conversation_id: int, after: int) -> tuple[bool | None, list[dict], bool]:
    """The messages after ``after`` of a conversation this socket watches, for a page that
    saw a seq jump past one it never got (an event the channel layer lost,
    shared/message_gaps.js). They belong to the watch's audited read, as its live events
    do, so this is not audited again; whether the user may still open the conversation is
    looked at again (None: no longer), as the periodic recheck does."""
    conversation = _still_open_to(user, conversation_id)
    if conversation is None:
        return None, [], False
    frames, more = message_frames_after(conversation, after)
    return may_write(user, conversation), frames, more


@database_sync_to_async
def _watch(
    user, conversation_id: int, after: int, notes_after: int
) -> tuple[bool, bool, bool, list[dict], bool]:
    """One audited read of the conversation: its messages after ``after`` and its private
    staff notes after ``notes_after``; whether the user may write a message, and a note,
    and whether they answer it (only they are told of a visitor's message, notify.js)."""
    conversation = access_conversation(user, conversation_id, purpose="read")
    # The name this socket's messages carry, looked up once here, where the page waits
    # anyway: else by the writer, a query in its batch for every socket's first message (a
    # thousand in the first seconds after a restart brings the consoles back).
    getattr(user, "counsellor_profile", None)
    frames, more = message_frames_after(conversation, after)
    frames += [
        staff_note_event(n).as_payload() for n in staff_notes_after(conversation, notes_after)
    ]
    return (
        may_write(user, conversation),
        may_write_staff_note(user, conversation),
        conversation.counsellor_id == user.pk,
        frames,
        more,
    )


@database_sync_to_async
def _staff_note(user, conversation_id: int, client_id: str, body: str) -> int:
    note, _created = staff_note_add(
        conversation_id=conversation_id, author=user, client_id=client_id, body=body
    )
    return note.pk


async def _post(user, conversation_id: int, client_id: str, body: str, guard: Guard) -> Posted:
    return await writer().post(
        MessagePost(
            conversation_id=conversation_id,
            sender=Message.Sender.COUNSELLOR,
            author=user,
            client_id=client_id,
            body=body,
        ),
        guard,
    )


@database_sync_to_async
def _typing(conversation_id: int) -> None:
    typing_signal(conversation=Conversation.objects.get(pk=conversation_id), sender="counsellor")


@database_sync_to_async
def _seen(user, conversation_id: int, seq: int) -> None:
    conversation_mark_seen(
        conversation=Conversation.objects.get(pk=conversation_id), seq=seq, by=user
    )


class StaffConsumer(FrameConsumer):
    side = "counsellor"
    frame_rate = 20.0
    frame_burst = 40
    # A check at most this old is reused for frames that neither read nor write a
    # conversation (ping, typing, seen); watch, catch_up, staff_note and message are always
    # checked afresh (a message by the writer, in the database thread, just before its batch
    # is stored).
    fresh_seconds = 2.0
    # An idle socket checks this often (an expired session sends no event).
    recheck_seconds = 30.0

    arrivals_only = False

    async def connect(self):
        user = self.scope.get("user")
        session = self.scope.get("session")
        self.session_key = getattr(session, "session_key", None)
        role = None
        if user is not None and user.is_authenticated:
            role = await _role_now(user.pk, self.session_key)
        if role is None or role != user.role:
            await self.close(code=CLOSE_UNAUTHORISED)
            return
        counsels = user_has_permission(user, "counselling.work")
        self.user = user
        self.role = role
        self.session_print = session_fingerprint(self.session_key)
        self.checked_at = time.monotonic()
        # Every console page hears its alerts (escalations, a visitor writing in one of their
        # chats). A conversation page (``?page=conversation``) also hears the conversations it
        # watches, and of the queue only what arrives in it (notify.js tells of it), as does
        # any other console page (``?page=notices``, notices.js); the console home the staff
        # member's own group and every change of the queue.
        self.groups_joined = [alerts_group(user.pk)]
        page = parse_qs(self.scope.get("query_string", b"").decode("latin-1")).get("page", [""])
        self.arrivals_only = page[-1] in ("conversation", "notices")
        if not self.arrivals_only:
            self.groups_joined.append(staff_group(user.pk))
        if counsels:
            self.groups_joined.append(QUEUE_GROUP)
        # conversation id -> may write (True for the counsellor answering it)
        self.watching: dict[int, bool] = {}
        # conversation id -> when the right to it was last checked (time.monotonic())
        self.watch_checked: dict[int, float] = {}
        for group in self.groups_joined:
            await self.channel_layer.group_add(group, self.channel_name)
        await self.accept()
        self.rechecking = asyncio.create_task(self._recheck_while_open())

    async def disconnect(self, code):
        self.closing = True
        if getattr(self, "rechecking", None) is not None:
            self.rechecking.cancel()
        for group in getattr(self, "groups_joined", []):
            await self.channel_layer.group_discard(group, self.channel_name)

    async def _close_unauthorised(self) -> None:
        if not self.closing:
            self.closing = True
            await self.close(code=CLOSE_UNAUTHORISED)

    async def _still_allowed(self, max_age: float) -> bool:
        """The user's rights now (session, account, role, two-factor); closes the socket
        when they are gone. A check younger than ``max_age`` seconds is reused."""
        if self.closing:
            return False
        if time.monotonic() - self.checked_at < max_age:
            return True
        if await _role_now(self.user.pk, self.session_key) != self.role:
            await self._close_unauthorised()
            return False
        self.checked_at = time.monotonic()
        return True

    def _rights_guard(self) -> Guard:
        """The writer's check of this socket's rights for a message: ``_still_allowed``'s,
        made for every sender of the batch at once (``_rights_now``)."""
        return Guard(check=_rights_now, subject=(self.user.pk, self.session_key, self.role))

    async def _recheck_while_open(self) -> None:
        """Check the rights, and each watched conversation, once they are
        ``recheck_seconds`` old. A message the writer stored is such a check, made in its
        transaction (``_rights_guard``, and the service's ``may_write``), so a socket that
        writes is rarely looked at here, and no right is ever older than the interval."""
        # Sockets that opened together (a restart brings them all back) must not all check
        # at once every interval, stalling delivery: each counts its first checks as made at
        # a random earlier moment, so it checks sooner (decision 0043).
        self.checked_at -= random.uniform(0, self.recheck_seconds)  # noqa: S311 (timing)
        wake = self.checked_at + self.recheck_seconds
        while not self.closing:
            await asyncio.sleep(max(0.0, wake - time.monotonic()))
            try:
                if not await self._still_allowed(max_age=self.recheck_seconds):
                    return
                await self._recheck_watched()
                oldest = min([self.checked_at, *self.watch_checked.values()])
                wake = oldest + self.recheck_seconds
            except Exception as error:
                # The database or the channel layer away for a moment (the same fault may have
                # dropped the event this loop stands in for): look again an interval later.
                logger.warning("staff socket check failed: %s", type(error).__name__)
                wake = time.monotonic() + self.recheck_seconds

    async def receive(self, text_data=None, bytes_data=None):
        if self.closing:
            return
        await super().receive(text_data=text_data, bytes_data=bytes_data)

    async def huoli_event(self, message):
        if self.closing:
            return
        event = message["event"]
        kind = event.get("type")
        if kind == "staff.revoked":
            if not event["session"] or event["session"] == self.session_print:
                await self._close_unauthorised()
            return
        if kind == "conversation.released":
            await self._released(event["conversation_id"], message)
            return
        if self.arrivals_only and message.get("group") == QUEUE_GROUP and not event.get("arrived"):
            return
        if kind == "conversation.activity" and event.get("conversation_id") in self.watching:
            # The page shows this conversation and hears its messages, which tell it the
            # same (console/chat.js): a frame less for every visitor's message (decision 0043).
            return
        # A conversation's events (and its staff notes) reach only a socket still watching it.
        if (
            message.get("group", "").startswith((CONVERSATION_GROUP_PREFIX, STAFF_GROUP_PREFIX))
            and event.get("conversation_id") not in self.watching
        ):
            return
        await super().huoli_event(message)

    async def _recheck_watched(self) -> None:
        """Look again at every watched conversation last checked an interval ago or more:
        events are best effort (a full queue or a Redis reconnect drops one), so a lost
        ``conversation.released`` keeps a transferred chat on this socket for one interval
        at most, and a lost last message is told to its page an interval (and
        ``LATEST_GRACE``) at most after the page's last message there (the ``latest``
        frame)."""
        for conversation_id in list(self.watching):
            if self.closing:
                return
            checked = self.watch_checked.get(conversation_id, 0.0)
            if time.monotonic() - checked < self.recheck_seconds:
                continue
            released = ConversationReleased(conversation_id=conversation_id)
            last_seq = await self._released(conversation_id, {"event": released.as_payload()})
            if last_seq is not None and not self.closing:
                frame = {"type": "latest", "conversation_id": conversation_id}
                await self.send_latest(conversation_id, last_seq, {**frame, "last_seq": last_seq})

    async def _released(self, conversation_id: int, message: dict) -> int | None:
        """The conversation was transferred away from this user: leave it at once unless
        they may still open it (a supervisor then observes it, read-only). Returns its
        highest message ``seq`` while this socket still watches it."""
        if conversation_id not in self.watching:
            return None
        checking = time.monotonic()
        now = await _may_write_now(self.user, conversation_id)
        if now is not None:
            self.watching[conversation_id], last_seq = now
            self.watch_checked[conversation_id] = checking
            return last_seq
        if conversation_id not in self.watching:  # left meanwhile (the look and an event)
            return None
        del self.watching[conversation_id]
        self.watch_checked.pop(conversation_id, None)
        self.seqs_given.pop(conversation_id, None)
        groups = (conversation_group(conversation_id), conversation_staff_group(conversation_id))
        for group in groups:
            await self.channel_layer.group_discard(group, self.channel_name)
            if group in self.groups_joined:
                self.groups_joined.remove(group)
        await super().huoli_event(message)

    def _watched(self, frame: dict, *, writing: bool = False) -> int:
        conversation_id = int_field(frame, "conversation_id")
        if conversation_id not in self.watching:
            raise FrameError("not_watching")
        if writing and not self.watching[conversation_id]:
            raise FrameError("read_only")
        return conversation_id

    async def handle_frame(self, frame: dict) -> None:
        kind = frame["type"]
        if kind == "message":
            # Checked afresh by the writer with the batch it is stored in (``_rights_guard``).
            max_age = float("inf")
        elif kind in ("watch", "catch_up", "staff_note"):
            max_age = 0.0
        else:
            max_age = self.fresh_seconds
        if not await self._still_allowed(max_age):
            return
        if kind == "ping":
            await self.send_json({"type": "pong"})
        elif kind == "watch":
            conversation_id = int_field(frame, "conversation_id")
            # The groups are joined before the read: a message committed between the read
            # and a later join would reach this page only after a reconnect (nothing lost).
            # Events sent meanwhile wait in this socket's channel until this frame is
            # handled; the page drops one it already has by its seq. The staff group is
            # joined only here, by a console socket, and left again if the user may not
            # open the conversation: the visitor's socket never hears the staff's notes.
            joining = (
                ()
                if conversation_id in self.watching
                else (
                    conversation_group(conversation_id),
                    conversation_staff_group(conversation_id),
                )
            )
            for group in joining:
                await self.channel_layer.group_add(group, self.channel_name)
            checking = time.monotonic()
            after = int_field(frame, "last_seq", 0)
            try:
                may_write, may_note, answering, frames, more = await _watch(
                    self.user, conversation_id, after, int_field(frame, "last_note_id", 0)
                )
            except BaseException:
                for group in joining:
                    await self.channel_layer.group_discard(group, self.channel_name)
                raise
            self.groups_joined.extend(joining)
            self.watching[conversation_id] = may_write
            # Counted as made a random moment earlier, as the rights' first check is.
            self.watch_checked[conversation_id] = checking - random.uniform(  # noqa: S311
                0, self.recheck_seconds
            )
            await self.send_messages(conversation_id, after, frames, more=more)
            await self.send_json(
                {
                    "type": "watching",
                    "conversation_id": conversation_id,
                    "may_write": may_write,
                    "may_note": may_note,
                    "answering": answering,
                }
            )
        elif kind == "message":
            conversation_id = self._watched(frame, writing=True)
            checking = time.monotonic()
            client_id = str_field(frame, "client_id")[:64]
            try:
                posted = await _post(
                    self.user,
                    conversation_id,
                    client_id,
                    str_field(frame, "body"),
                    self._rights_guard(),
                )
            except GuardRefused:
                await self._close_unauthorised()
                return
            # The guard found the rights intact in the batch's transaction.
            self.checked_at = max(self.checked_at, checking)
            if posted.created and conversation_id in self.watching:
                # Stored now (not a resend), so the service found this user may write here.
                self.watch_checked[conversation_id] = max(
                    self.watch_checked.get(conversation_id, 0.0), checking
                )
            await self.send_ack(client_id, posted)
        elif kind == "staff_note":
            # Observers may write a note too (not a message): the service asks the policy.
            conversation_id = self._watched(frame)
            client_id = str_field(frame, "client_id")[:64]
            note_id = await _staff_note(
                self.user, conversation_id, client_id, str_field(frame, "body")
            )
            await self.send_json(
                {"type": "staff_note.ack", "client_id": client_id, "note_id": note_id}
            )
        elif kind == "catch_up":
            conversation_id = self._watched(frame)
            checking = time.monotonic()
            after = int_field(frame, "last_seq", 0)
            may_write_now, frames, more = await _catch_up(self.user, conversation_id, after)
            if may_write_now is None:  # no longer theirs to open: leave it, as after a transfer
                released = ConversationReleased(conversation_id=conversation_id)
                await self._released(conversation_id, {"event": released.as_payload()})
                return
            if conversation_id not in self.watching:  # released meanwhile by the periodic look
                return
            self.watching[conversation_id] = may_write_now
            self.watch_checked[conversation_id] = max(
                self.watch_checked.get(conversation_id, 0.0), checking
            )
            await self.send_messages(conversation_id, after, frames, more=more)
        elif kind == "typing":
            await _typing(self._watched(frame, writing=True))
        elif kind == "seen":
            await _seen(self.user, self._watched(frame), int_field(frame, "seq"))
        else:
            raise FrameError("type_unknown")

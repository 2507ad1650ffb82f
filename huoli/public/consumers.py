"""The visitor's websocket. The visitor is known only by the browser token cookie, read by
``visitor.visitor_token`` as the pages read it.

Threat answered (issue 13): a socket outlives what opened it. When the browser is signed out
(a return with the code elsewhere rotates the token; a blocked code clears it) every open
socket of the old token closes: the service publishes ``conversation.signed_out`` after
commit and each socket checks its token against the database; a frame that races the event
is refused by the service itself, which checks the token in the same transaction. One
conversation has at most ``HUOLI_VISITOR_SOCKETS`` sockets open (``sockets.py``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from urllib.parse import parse_qs

from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from huoli.conversations import return_codes
from huoli.conversations.errors import ConversationError
from huoli.conversations.models import Conversation, Message
from huoli.conversations.selectors import (
    conversation_for_token,
    queue_positions,
    visitor_last_seq,
    visitor_token_current,
)
from huoli.conversations.services.messages import (
    MessagePost,
    message_frames_after,
    typing_signal,
)
from huoli.conversations.services.queue import conversation_end
from huoli.conversations.writer import Posted, writer
from huoli.core.consumers import FrameConsumer
from huoli.core.events import (
    ConversationBecameMessage,
    ConversationSignedOut,
    QueuePosition,
    conversation_group,
)
from huoli.core.frames import FrameError, int_field, str_field
from huoli.public import sockets
from huoli.public.visitor import visitor_token

CLOSE_NO_CONVERSATION = 4403
CLOSE_TOO_MANY_SOCKETS = 4429
TYPING_INTERVAL = 2.0
# Refusals after which the socket is of no more use: its browser is signed out or blocked.
SIGNED_OUT = ("signed_out", "conversation_closed")

logger = logging.getLogger(__name__)


@database_sync_to_async
def _open(token, owner: str):
    """The token's conversation and a socket place in it (None when every place is held)."""
    conversation = conversation_for_token(token)
    if conversation is None:
        return None, None
    return conversation, sockets.socket_place_take(conversation_id=conversation.pk, owner=owner)


def _mine(conversation_id: int, token_hash: str) -> Conversation:
    conversation = (
        Conversation.objects.select_related("counsellor__counsellor_profile")
        .filter(pk=conversation_id, visitor_token_hash=token_hash)
        .first()
    )
    if conversation is None:
        raise ConversationError("signed_out", "")
    return conversation


@database_sync_to_async
def _token_current(conversation_id: int, token_hash: str) -> bool:
    return visitor_token_current(conversation_id=conversation_id, token_hash=token_hash)


@database_sync_to_async
def _last_seq(conversation_id: int, token_hash: str) -> int | None:
    return visitor_last_seq(conversation_id=conversation_id, token_hash=token_hash)


@database_sync_to_async
def _state(conversation_id: int, token_hash: str) -> dict:
    conversation = _mine(conversation_id, token_hash)
    counsellor = conversation.counsellor
    profile = getattr(counsellor, "counsellor_profile", None) if counsellor else None
    state = {
        "type": "state",
        "conversation_id": conversation.pk,
        "status": conversation.status,
        "kind": conversation.kind,
        "counsellor_name": profile.display_name if profile else "",
        "last_seq": conversation.last_seq,
        "position": 0,
        "wait_minutes": 0,
    }
    for pk, position, minutes in queue_positions():
        if pk == conversation.pk:
            state.update(position=position, wait_minutes=minutes)
    return state


def queue_text(language: str, position: int, minutes: int) -> str:
    """The waiting visitor's place and rough wait in the page's language, with that language's
    plural forms (Arabic has six: "4 دقائق", "11 دقيقة"), which the page's script cannot pick."""
    with translation.override(language):
        return ngettext(
            "You are number %(position)s in the queue. Estimated wait: %(minutes)s minute.",
            "You are number %(position)s in the queue. Estimated wait: %(minutes)s minutes.",
            minutes,
        ) % {"position": position, "minutes": minutes}


def became_message_text(language: str, reason: str) -> str:
    """What the page says when the waiting chat became a message (the page adds how to come
    back): the visitor chose it, or the chat closed (the line closed, nobody on duty)."""
    with translation.override(language):
        if reason == "closed":
            return _("The chat has closed for now, so your chat is now a message.")
        return _("Your chat is now a message.")


def _page_language(scope, fallback: str) -> str:
    """The language of the page that opened the socket (``?lang=ar``), if it is one of ours:
    the page's own texts are in it, whatever language the chat is in."""
    asked = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("lang", [""])[0]
    return asked if asked in {code for code, _name in settings.LANGUAGES} else fallback


@database_sync_to_async
def _catch_up(conversation_id: int, token_hash: str, after: int) -> tuple[list[dict], bool]:
    return message_frames_after(_mine(conversation_id, token_hash), after)


async def _post(conversation_id: int, token_hash: str, client_id: str, body: str) -> Posted:
    return await writer().post(
        MessagePost(
            conversation_id=conversation_id,
            sender=Message.Sender.VISITOR,
            client_id=client_id,
            body=body,
            visitor_token_hash=token_hash,
        )
    )


@database_sync_to_async
def _end(conversation_id: int, token: str):
    conversation_end(
        conversation=Conversation.objects.get(pk=conversation_id),
        ended_by="visitor",
        visitor_token=token,
    )


@database_sync_to_async
def _typing(conversation_id: int, token_hash: str):
    typing_signal(conversation=_mine(conversation_id, token_hash), sender="visitor")


class VisitorConsumer(FrameConsumer):
    side = "visitor"
    # When the token was last found current (time.monotonic()): opening the socket, a
    # stored message, or ``_keep_place``.
    token_checked = 0.0
    place: int | None = None
    keeper: asyncio.Task | None = None

    async def connect(self):
        self.token = visitor_token(self.scope)
        checking = time.monotonic()
        conversation, place = await _open(self.token, self.channel_name)
        if conversation is None:
            self.closing = True
            await self.close(code=CLOSE_NO_CONVERSATION)
            return
        self.conversation_id = conversation.pk
        self.token_hash = return_codes.token_hash(self.token)
        self.token_checked = checking
        codes = {code for code, _name in settings.LANGUAGES}
        self.language = (
            conversation.language if conversation.language in codes else settings.LANGUAGE_CODE
        )
        self.page_language = _page_language(self.scope, self.language)
        if place is None:
            # Accepted only to say why: a refusal before accepting reaches no page script.
            self.closing = True
            await self.accept()
            with translation.override(self.language):
                text = _(
                    "This conversation is open in too many windows. Close one of them and "
                    "this page connects again."
                )
            await self.send_json({"type": "error", "code": "too_many_sockets", "message": text})
            await self.close(code=CLOSE_TOO_MANY_SOCKETS)
            return
        self.place = place
        self.group = conversation_group(conversation.pk)
        self.last_typing = 0.0
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        self.keeper = asyncio.create_task(self._keep_place())
        try:
            await self._send_state()
        except ConversationError:
            # Signed out between the lookup and now.
            await self._close_as(CLOSE_NO_CONVERSATION)

    async def _keep_place(self):
        """Every ``REFRESH_SECONDS``: keep this socket's place, and look again whether its
        browser still holds the conversation. Events are best effort (a full queue or a Redis
        reconnect drops one), so a lost ``conversation.signed_out`` keeps a signed-out
        socket listening for one interval at most, and a lost last message is told to its
        page an interval (and ``LATEST_GRACE``) at most after the visitor's last message
        (the ``latest`` frame)."""
        # Sockets that opened together (a restart brings them all back) must not all look
        # at once every interval, stalling delivery: each counts its first checks as made
        # at a random earlier moment, so it looks sooner (decision 0043). A message the
        # writer stored checked the token in its transaction: the token is looked at here
        # only once the last such check is an interval old.
        refresh = sockets.REFRESH_SECONDS
        spread = random.uniform(0, refresh)  # noqa: S311 (timing, not a secret)
        self.token_checked -= spread
        place_kept = time.monotonic() - spread
        wake = min(self.token_checked, place_kept) + refresh
        while True:
            await asyncio.sleep(max(0.0, wake - time.monotonic()))
            try:
                if time.monotonic() - self.token_checked >= refresh:
                    checking = time.monotonic()
                    last_seq = await _last_seq(self.conversation_id, self.token_hash)
                    if last_seq is None:
                        await self._close_as(CLOSE_NO_CONVERSATION)
                        return
                    self.token_checked = max(self.token_checked, checking)
                    frame = {"type": "latest", "last_seq": last_seq}
                    await self.send_latest(self.conversation_id, last_seq, frame)
                if time.monotonic() - place_kept >= refresh:
                    place_kept = time.monotonic()
                    kept = await sync_to_async(sockets.socket_place_keep, thread_sensitive=False)(
                        conversation_id=self.conversation_id,
                        slot=self.place,
                        owner=self.channel_name,
                    )
                    if not kept:
                        await self._close_as(CLOSE_TOO_MANY_SOCKETS)
                        return
                wake = min(self.token_checked, place_kept) + refresh
            except Exception as error:
                # The database or the cache away for a moment (the same fault may have
                # dropped the event this loop stands in for): look again an interval later.
                logger.warning("visitor socket check failed: %s", type(error).__name__)
                wake = time.monotonic() + refresh

    async def _leave(self):
        """Leave the group and give the place back, once."""
        if self.keeper is not None and self.keeper is not asyncio.current_task():
            self.keeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.keeper
        self.keeper = None
        if getattr(self, "group", None):
            await self.channel_layer.group_discard(self.group, self.channel_name)
            self.group = None
        if self.place is not None:
            place, self.place = self.place, None
            await sync_to_async(sockets.socket_place_free, thread_sensitive=False)(
                conversation_id=self.conversation_id, slot=place, owner=self.channel_name
            )

    async def _close_as(self, code: int):
        """Stop at once: no frame is handled and no event forwarded after this."""
        self.closing = True
        await self._leave()
        await self.close(code=code)

    async def disconnect(self, code):
        self.closing = True
        await self._leave()

    async def receive(self, text_data=None, bytes_data=None):
        if self.closing:
            return
        with translation.override(self.language):
            await super().receive(text_data=text_data, bytes_data=bytes_data)

    async def _send_state(self) -> None:
        """The ``state`` frame. Its ``last_seq`` tells the page the conversation's highest
        seq, as ``latest`` does: the page asks for what it lacks below it (chat.js)."""
        state = await _state(self.conversation_id, self.token_hash)
        await self.send_json(self._with_queue_text(state))
        self.given(self.conversation_id, state["last_seq"])

    def _with_queue_text(self, state: dict) -> dict:
        if state.get("position"):
            text = queue_text(self.page_language, state["position"], state["wait_minutes"])
            return {**state, "queue_text": text}
        return state

    async def huoli_event(self, message):
        if self.closing:
            return
        if message["event"].get("type") == ConversationSignedOut.type:
            # The event only says "look": the database says whether this token is still it.
            if not await _token_current(self.conversation_id, self.token_hash):
                await self._close_as(CLOSE_NO_CONVERSATION)
            return
        if message["event"].get("type") == QueuePosition.type:
            message = {**message, "event": self._with_queue_text(message["event"])}
        if message["event"].get("type") == ConversationBecameMessage.type:
            text = became_message_text(self.page_language, message["event"].get("reason", ""))
            message = {**message, "event": {**message["event"], "text": text}}
        await super().huoli_event(message)

    async def handle_frame(self, frame: dict) -> None:
        try:
            await self._handle(frame)
        except ConversationError as error:
            if error.code not in SIGNED_OUT:
                raise
            if frame["type"] == "message" and str(error):
                client_id = frame.get("client_id")
                await self.send_json(
                    {
                        "type": "error",
                        "code": error.code,
                        "message": str(error),
                        "client_id": client_id[:64] if isinstance(client_id, str) else None,
                    }
                )
            await self._close_as(CLOSE_NO_CONVERSATION)

    async def _handle(self, frame: dict) -> None:
        kind = frame["type"]
        if kind == "hello":
            after = int_field(frame, "last_seq", 0)
            frames, more = await _catch_up(self.conversation_id, self.token_hash, after)
            await self.send_messages(self.conversation_id, after, frames, more=more)
            await self._send_state()
        elif kind == "catch_up":
            # The page saw a seq jump past one it never got (an event the channel layer
            # lost, shared/message_gaps.js): the messages after ``last_seq``, without the
            # ``state`` a ``hello`` ends with.
            after = int_field(frame, "last_seq", 0)
            frames, more = await _catch_up(self.conversation_id, self.token_hash, after)
            await self.send_messages(self.conversation_id, after, frames, more=more)
        elif kind == "message":
            client_id = str_field(frame, "client_id")[:64]
            body = str_field(frame, "body")
            checking = time.monotonic()
            posted = await _post(self.conversation_id, self.token_hash, client_id, body)
            if posted.created:
                # Stored now (a resend checks nothing): the service found this socket's token
                # current in its transaction.
                self.token_checked = max(self.token_checked, checking)
            await self.send_ack(client_id, posted)
        elif kind == "typing":
            now = self.rate.stamp
            if now - self.last_typing >= TYPING_INTERVAL:
                self.last_typing = now
                await _typing(self.conversation_id, self.token_hash)
        elif kind == "end":
            await _end(self.conversation_id, self.token)
        elif kind == "ping":
            await self.send_json({"type": "pong"})
        else:
            raise FrameError("type_unknown")

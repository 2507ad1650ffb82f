"""The console's websocket: one per open console tab.

It joins the staff member's own group, the queue group when they counsel, and the group of
every conversation they ``watch`` (each watch is an audited read).
"""

from __future__ import annotations

from channels.db import database_sync_to_async

from huoli.accounts.twofactor import session_two_factor_satisfied
from huoli.conversations import services
from huoli.conversations.models import Conversation, Message
from huoli.conversations.selectors import access_conversation, messages_after
from huoli.conversations.services import MessagePost
from huoli.conversations.writer import writer
from huoli.core.consumers import FrameConsumer
from huoli.core.events import QUEUE_GROUP, alerts_group, conversation_group, staff_group
from huoli.core.frames import FrameError, int_field, str_field
from huoli.core.policy import user_has_permission

CLOSE_UNAUTHORISED = 4401


@database_sync_to_async
def _may_connect(user, session) -> tuple[bool, bool]:
    allowed = user_has_permission(user, "console.use") and session_two_factor_satisfied(
        user, session
    )
    return allowed, allowed and user_has_permission(user, "counselling.work")


@database_sync_to_async
def _watch(user, conversation_id: int, after: int) -> tuple[bool, list[dict]]:
    conversation = access_conversation(user, conversation_id, purpose="read")
    messages = [services.message_event(m).as_payload() for m in messages_after(conversation, after)]
    return conversation.may_write(user), messages


async def _post(user, conversation_id: int, client_id: str, body: str) -> int:
    return await writer().post(
        MessagePost(
            conversation_id=conversation_id,
            sender=Message.Sender.COUNSELLOR,
            author=user,
            client_id=client_id,
            body=body,
        )
    )


@database_sync_to_async
def _typing(conversation_id: int) -> None:
    services.typing_signal(
        conversation=Conversation.objects.get(pk=conversation_id), sender="counsellor"
    )


@database_sync_to_async
def _seen(conversation_id: int, seq: int) -> None:
    services.conversation_mark_seen(
        conversation=Conversation.objects.get(pk=conversation_id), seq=seq
    )


class StaffConsumer(FrameConsumer):
    side = "counsellor"
    frame_rate = 20.0
    frame_burst = 40

    async def connect(self):
        user = self.scope.get("user")
        session = self.scope.get("session")
        allowed, counsels = (
            (False, False) if user is None or session is None else await _may_connect(user, session)
        )
        if not allowed:
            await self.close(code=CLOSE_UNAUTHORISED)
            return
        self.user = user
        # Every console page hears its alerts (escalations). A conversation page
        # (``?page=conversation``) also hears the conversations it watches; the console home
        # the staff member's own group and the queue.
        self.groups_joined = [alerts_group(user.pk)]
        if b"page=conversation" not in self.scope.get("query_string", b""):
            self.groups_joined.append(staff_group(user.pk))
            if counsels:
                self.groups_joined.append(QUEUE_GROUP)
        # conversation id -> may write (True for the counsellor answering it)
        self.watching: dict[int, bool] = {}
        for group in self.groups_joined:
            await self.channel_layer.group_add(group, self.channel_name)
        await self.accept()

    async def disconnect(self, code):
        for group in getattr(self, "groups_joined", []):
            await self.channel_layer.group_discard(group, self.channel_name)

    def _watched(self, frame: dict, *, writing: bool = False) -> int:
        conversation_id = int_field(frame, "conversation_id")
        if conversation_id not in self.watching:
            raise FrameError("not_watching")
        if writing and not self.watching[conversation_id]:
            raise FrameError("read_only")
        return conversation_id

    async def handle_frame(self, frame: dict) -> None:
        kind = frame["type"]
        if kind == "ping":
            await self.send_json({"type": "pong"})
        elif kind == "watch":
            conversation_id = int_field(frame, "conversation_id")
            may_write, messages = await _watch(
                self.user, conversation_id, int_field(frame, "last_seq", 0)
            )
            if conversation_id not in self.watching:
                group = conversation_group(conversation_id)
                await self.channel_layer.group_add(group, self.channel_name)
                self.groups_joined.append(group)
            self.watching[conversation_id] = may_write
            for payload in messages:
                await self.send_json(payload)
            await self.send_json(
                {"type": "watching", "conversation_id": conversation_id, "may_write": may_write}
            )
        elif kind == "message":
            conversation_id = self._watched(frame, writing=True)
            client_id = str_field(frame, "client_id")[:64]
            seq = await _post(self.user, conversation_id, client_id, str_field(frame, "body"))
            await self.send_json({"type": "ack", "client_id": client_id, "seq": seq})
        elif kind == "typing":
            await _typing(self._watched(frame, writing=True))
        elif kind == "seen":
            await _seen(self._watched(frame), int_field(frame, "seq"))
        else:
            raise FrameError("type_unknown")

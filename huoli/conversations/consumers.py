"""The visitor's websocket. The visitor is known only by the browser token cookie."""

from __future__ import annotations

from channels.db import database_sync_to_async
from django.conf import settings

from huoli.conversations import services
from huoli.conversations.models import Conversation, Message
from huoli.conversations.selectors import messages_after
from huoli.conversations.services import MessagePost
from huoli.conversations.writer import writer
from huoli.core.consumers import FrameConsumer
from huoli.core.events import conversation_group
from huoli.core.frames import FrameError, int_field, str_field

CLOSE_NO_CONVERSATION = 4403
TYPING_INTERVAL = 2.0


@database_sync_to_async
def _conversation(token):
    return services.conversation_for_token(token)


@database_sync_to_async
def _state(conversation_id: int) -> dict:
    conversation = Conversation.objects.select_related("counsellor__counsellor_profile").get(
        pk=conversation_id
    )
    profile = getattr(conversation.counsellor, "counsellor_profile", None)
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
    for pk, position, minutes in services.queue_positions():
        if pk == conversation.pk:
            state.update(position=position, wait_minutes=minutes)
    return state


@database_sync_to_async
def _catch_up(conversation_id: int, after: int) -> list[dict]:
    conversation = Conversation.objects.get(pk=conversation_id)
    return [
        services.message_event(message).as_payload()
        for message in messages_after(conversation, after)
    ]


async def _post(conversation_id: int, client_id: str, body: str) -> int:
    return await writer().post(
        MessagePost(
            conversation_id=conversation_id,
            sender=Message.Sender.VISITOR,
            client_id=client_id,
            body=body,
        )
    )


@database_sync_to_async
def _end(conversation_id: int):
    services.conversation_end(
        conversation=Conversation.objects.get(pk=conversation_id), ended_by="visitor"
    )


@database_sync_to_async
def _typing(conversation_id: int):
    services.typing_signal(
        conversation=Conversation.objects.get(pk=conversation_id), sender="visitor"
    )


class VisitorConsumer(FrameConsumer):
    side = "visitor"

    async def connect(self):
        token = self.scope.get("cookies", {}).get(settings.HUOLI_VISITOR_COOKIE)
        conversation = await _conversation(token)
        if conversation is None:
            await self.close(code=CLOSE_NO_CONVERSATION)
            return
        self.conversation_id = conversation.pk
        self.group = conversation_group(conversation.pk)
        self.last_typing = 0.0
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        await self.send_json(await _state(self.conversation_id))

    async def disconnect(self, code):
        if getattr(self, "group", None):
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def handle_frame(self, frame: dict) -> None:
        kind = frame["type"]
        if kind == "hello":
            after = int_field(frame, "last_seq", 0)
            for payload in await _catch_up(self.conversation_id, after):
                await self.send_json(payload)
            await self.send_json(await _state(self.conversation_id))
        elif kind == "message":
            client_id = str_field(frame, "client_id")[:64]
            seq = await _post(self.conversation_id, client_id, str_field(frame, "body"))
            await self.send_json({"type": "ack", "client_id": client_id, "seq": seq})
        elif kind == "typing":
            now = self.rate.stamp
            if now - self.last_typing >= TYPING_INTERVAL:
                self.last_typing = now
                await _typing(self.conversation_id)
        elif kind == "end":
            await _end(self.conversation_id)
        elif kind == "ping":
            await self.send_json({"type": "pong"})
        else:
            raise FrameError("type_unknown")

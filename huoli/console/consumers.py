"""The console's websocket: one per open console tab, joined to the staff member's group."""

from __future__ import annotations

import json

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer

from huoli.accounts.twofactor import session_two_factor_satisfied
from huoli.core.events import staff_group
from huoli.core.policy import user_has_permission

CLOSE_UNAUTHORISED = 4401
MAX_FRAME_CHARS = 16_000


@database_sync_to_async
def _may_connect(user, session) -> bool:
    return user_has_permission(user, "console.use") and session_two_factor_satisfied(user, session)


class StaffConsumer(AsyncWebsocketConsumer):
    async def connect(self):
        user = self.scope.get("user")
        session = self.scope.get("session")
        if user is None or session is None or not await _may_connect(user, session):
            await self.close(code=CLOSE_UNAUTHORISED)
            return
        self.group = staff_group(user.pk)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    async def disconnect(self, code):
        group = getattr(self, "group", None)
        if group:
            await self.channel_layer.group_discard(group, self.channel_name)

    async def receive(self, text_data=None, bytes_data=None):
        if text_data is None or len(text_data) > MAX_FRAME_CHARS:
            await self._error("frame_invalid")
            return
        try:
            frame = json.loads(text_data)
        except ValueError:
            await self._error("frame_invalid")
            return
        if not isinstance(frame, dict) or not isinstance(frame.get("type"), str):
            await self._error("frame_invalid")
        elif frame["type"] == "ping":
            await self.send(text_data=json.dumps({"type": "pong"}))
        else:
            await self._error("type_unknown")

    async def _error(self, code: str) -> None:
        await self.send(text_data=json.dumps({"type": "error", "code": code}))

    async def huoli_event(self, message):
        await self.send(text_data=json.dumps(message["event"]))

"""Real-time events, published by services only, and only after their transaction commits.

Threat answered: a client must never hear about a row that was rolled back (promise 2). Every
event is a dataclass here and is documented in docs/events.md; consumers forward it to the
browser as ``{"type": ..., **fields}``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import ClassVar

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

# Channel-layer message type; a consumer handles it in ``huoli_event``.
LAYER_MESSAGE_TYPE = "huoli.event"


@dataclass(frozen=True)
class Event:
    type: ClassVar[str]

    def as_payload(self) -> dict:
        return {"type": self.type, **asdict(self)}


@dataclass(frozen=True)
class StaffProfileUpdated(Event):
    """A staff member's own console tabs learn their new display name and languages."""

    type: ClassVar[str] = "staff.profile_updated"
    display_name: str
    languages: list[str]
    max_chats: int


def staff_group(user_id: int) -> str:
    """Every console websocket of one staff member joins this group."""
    return f"staff.{user_id}"


def publish(group: str, event: Event) -> None:
    """Send now. Use ``publish_on_commit`` from services."""
    layer = get_channel_layer()
    if layer is None:
        return
    async_to_sync(layer.group_send)(
        group, {"type": LAYER_MESSAGE_TYPE, "event": event.as_payload()}
    )


def publish_on_commit(group: str, event: Event) -> None:
    """Send once the current transaction commits; nothing at all if it rolls back."""
    transaction.on_commit(lambda: publish(group, event), robust=True)

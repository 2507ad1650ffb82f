"""How many visitor websockets one conversation may have open at once, across workers.

Threat answered: a script holding a conversation's cookie opening sockets without end, each
one a task, a queue and a group member in some worker (issue 13). One conversation has
``HUOLI_VISITOR_SOCKETS`` places. A socket takes a free place with an atomic ``add`` of one
cache key (``SET NX`` in Redis, a lock in the in-memory cache), so workers that share the
cache share the count; it refreshes the key's expiry every ``REFRESH_SECONDS`` while it is
open and deletes it when it closes. A worker that dies cannot give its places back: they
lapse ``SLOT_SECONDS`` after their last refresh. The keys hold only a random channel name.
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache

SLOT_SECONDS = 90
REFRESH_SECONDS = 30


def slot_key(conversation_id: int, slot: int) -> str:
    return f"visitor-socket:{conversation_id}:{slot}"


def socket_place_take(*, conversation_id: int, owner: str) -> int | None:
    """A free place for the socket ``owner`` (its channel name), or None when all are held."""
    for slot in range(settings.HUOLI_VISITOR_SOCKETS):
        if cache.add(slot_key(conversation_id, slot), owner, timeout=SLOT_SECONDS):
            return slot
    return None


def socket_place_keep(*, conversation_id: int, slot: int, owner: str) -> bool:
    """Refresh the place; False if it lapsed and another socket holds it now."""
    key = slot_key(conversation_id, slot)
    if cache.get(key) == owner:
        return cache.touch(key, SLOT_SECONDS)
    return cache.add(key, owner, timeout=SLOT_SECONDS)


def socket_place_free(*, conversation_id: int, slot: int, owner: str) -> None:
    key = slot_key(conversation_id, slot)
    # Only our own: a place that lapsed (a stalled worker) may belong to another socket now.
    if cache.get(key) == owner:
        cache.delete(key)

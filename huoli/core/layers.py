"""The channel layer of the embedded default: Channels' in-memory layer, made to scale.

Channels' ``InMemoryChannelLayer`` sweeps every queue and group for expired entries on each
``receive`` and ``group_send``, and starts a task per recipient: with a thousand open chats
each send walks thousands of queues, and delivery falls behind (docs/performance.md measured
2 s at 1,000 chats). This layer sweeps at most once a second and hands a group message
straight to each recipient's queue, without the deep copy of ``send`` (decision 0043).
It is still one process only; use Redis (``REDIS_URL``) for several.
"""

from __future__ import annotations

import asyncio
import contextlib
import time

from channels.layers import InMemoryChannelLayer
from channels_redis.pubsub import RedisPubSubChannelLayer


class LocalChannelLayer(InMemoryChannelLayer):
    sweep_interval = 1.0

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._last_sweep = 0.0

    def _clean_expired(self):
        now = time.monotonic()
        if now - self._last_sweep < self.sweep_interval:
            return
        self._last_sweep = now
        super()._clean_expired()

    async def group_send_many(self, sends: list[tuple[str, dict]]) -> None:
        """``group_send`` of each (group, message), in order (``core.events``' outbox)."""
        for group, message in sends:
            await self.group_send(group, message)

    async def group_send(self, group, message):
        """Deliver to every member now. Members share one message dict: consumers only
        read what they receive."""
        assert isinstance(message, dict), "Message is not a dict"
        self.require_valid_group_name(group)
        self._clean_expired()
        expires = time.time() + self.expiry
        for channel in list(self.groups.get(group, ())):
            # A full recipient misses it, as with every Channels layer.
            with contextlib.suppress(asyncio.QueueFull):
                self._queue(channel).put_nowait((expires, message))

    def _queue(self, channel: str) -> asyncio.Queue:
        """The channel's queue, made only when missing (Channels' ``setdefault`` built a
        new queue on every call, for every event each socket received)."""
        queue = self.channels.get(channel)
        if queue is None:
            queue = self.channels[channel] = asyncio.Queue(maxsize=self.get_capacity(channel))
        return queue

    async def receive(self, channel):
        """As Channels' ``receive``: the first message on the channel; an empty queue is
        dropped so a closed socket leaves nothing behind."""
        self.require_valid_channel_name(channel)
        self._clean_expired()
        queue = self._queue(channel)
        try:
            _expires, message = await queue.get()
        finally:
            if queue.empty():
                self.channels.pop(channel, None)
        return message


class PubSubChannelLayer(RedisPubSubChannelLayer):
    """Channels' Redis pub/sub layer, with the events of a batch published in one round trip.

    ``group_send`` publishes one message and waits for Redis's answer before the next can go
    (the shard's lock serialises them): with two or three events for every message stored,
    the events of a busy writer queued behind one another, each a round trip of a loaded
    event loop (decision 0043). ``group_send_many`` sends them in one pipeline per shard, in
    order. It reaches into the per-loop layer's shards as channels_redis 4.3 builds them.
    """

    async def channel_discard(self, channel: str) -> None:
        """Let the channel go: its queue, and its subscription in Redis. Channels' layer does
        so only when a ``receive`` waiting on it is cancelled (``FrameConsumer.__call__``)."""
        layer = self._get_layer()
        if layer.channels.pop(channel, None) is not None:
            await layer._get_shard(channel).unsubscribe(channel)

    async def group_send_many(self, sends: list[tuple[str, dict]]) -> None:
        layer = self._get_layer()
        by_shard: dict[object, list[tuple[str, bytes]]] = {}
        for group, message in sends:
            channel = layer._get_group_channel_name(group)
            by_shard.setdefault(layer._get_shard(channel), []).append(
                (channel, self.serialize(message))
            )
        for shard, messages in by_shard.items():
            async with shard._lock:
                shard._ensure_redis()
                pipe = shard._redis.pipeline(transaction=False)
                for channel, data in messages:
                    pipe.publish(channel, data)
                await pipe.execute()

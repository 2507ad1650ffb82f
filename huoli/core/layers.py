"""The channel layer of the embedded default: Channels' in-memory layer, made to scale.

Channels' ``InMemoryChannelLayer`` sweeps every queue and group for expired entries on each
``receive`` and ``group_send``, and starts a task per recipient: with a thousand open chats
each send walks thousands of queues, and delivery falls behind (docs/performance.md measured
2 s at 1,000 chats). This layer sweeps at most once a second and hands a group message
straight to each recipient's queue. It is still one process only; use Redis
(``REDIS_URL``) for several.
"""

from __future__ import annotations

import asyncio
import contextlib
import time

from channels.layers import InMemoryChannelLayer


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

    async def group_send(self, group, message):
        """Deliver to every member now. Members share one message dict: consumers only
        read what they receive."""
        assert isinstance(message, dict), "Message is not a dict"
        self.require_valid_group_name(group)
        self._clean_expired()
        expires = time.time() + self.expiry
        for channel in list(self.groups.get(group, ())):
            queue = self.channels.setdefault(
                channel, asyncio.Queue(maxsize=self.get_capacity(channel))
            )
            # A full recipient misses it, as with every Channels layer.
            with contextlib.suppress(asyncio.QueueFull):
                queue.put_nowait((expires, message))

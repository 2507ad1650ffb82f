"""The Redis cache of the production stack, with one connection pool for the process.

Django keeps a cache object per thread and per asyncio context (``caches`` is an asgiref
``Local``), and its ``RedisCache`` makes a connection pool per object (Django ticket #35651).
Under ASGI every HTTP request and every websocket runs in its own context, so each opened a
Redis connection of its own: a socket that used the cache held one for its whole life (a
thousand chats, some two thousand connections to Redis and 11 KiB of read buffer each in
the worker), and each request connected anew. Here every cache object of the same servers
and options shares one client and so one pool, which hands a connection to one thread at a
time and keeps it for the next (decision 0043).
"""

from __future__ import annotations

import threading
from functools import cached_property

from django.core.cache.backends.redis import RedisCache, RedisCacheClient

_clients: dict[tuple, RedisCacheClient] = {}
_clients_lock = threading.Lock()


class SharedRedisCache(RedisCache):
    @cached_property
    def _cache(self) -> RedisCacheClient:
        key = (tuple(self._servers), repr(sorted(self._options.items())))
        with _clients_lock:
            client = _clients.get(key)
            if client is None:
                client = self._class(self._servers, **self._options)
                # Its pools made now, under the lock: made lazily, two threads' first reads
                # at once could each make one.
                for write in (True, False):
                    client.get_client(write=write)
                _clients[key] = client
        return client

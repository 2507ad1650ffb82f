"""The production stack's Redis cache: one connection pool for the process (core/caches.py)."""

import asyncio
import contextvars
import os

import pytest
import redis
from asgiref.sync import sync_to_async
from django.core.cache import cache

pytestmark = pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL")


async def test_sockets_and_requests_share_the_processs_redis_connections():
    """Each request and socket runs in its own asyncio context, and Django's own RedisCache
    made a pool, and so a connection, for each: a socket kept it for its whole life."""
    probe = redis.Redis.from_url(os.environ["REDIS_URL"])
    before = len(probe.client_list())
    read = asyncio.Event()
    done = asyncio.Event()
    one_at_a_time = asyncio.Lock()

    async def socket(n):
        # In a worker thread, as a visitor socket keeps its place (thread_sensitive=False);
        # one read at a time, so a shared pool needs no second connection.
        async with one_at_a_time:
            await sync_to_async(cache.get, thread_sensitive=False)(f"probe-{n}")
        if n == 29:
            read.set()
        await done.wait()  # the socket stays open, its context with it

    # Each in a context of its own that has not used the cache yet, as uvicorn runs each.
    sockets = [asyncio.create_task(socket(n), context=contextvars.Context()) for n in range(30)]
    await asyncio.wait_for(read.wait(), 10)
    during = len(probe.client_list())
    done.set()
    await asyncio.gather(*sockets)
    probe.close()
    assert during - before <= 1

"""Hammering /return/: the guessing limit holds in every sliding ten-minute stretch, per
source and site-wide, and no address is kept anywhere (database, cache keys, logs)."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.core.management import call_command
from django.utils import timezone

from huoli.conversations.services import conversation_start

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


def cache_keys() -> list[str]:
    """Every key in the cache, whichever backend (process memory or Redis) is in use."""
    from django.core.cache import caches
    from django.core.cache.backends.locmem import LocMemCache
    from django.core.cache.backends.redis import RedisCache

    backend = caches["default"]
    if isinstance(backend, LocMemCache):
        return [str(key) for key in backend._cache]
    assert isinstance(backend, RedisCache)
    return [key.decode() for key in backend._cache.get_client().scan_iter("*")]


def most_in_any_window(times: list[float], window: float) -> int:
    times = sorted(times)
    best, start = 0, 0
    for end, moment in enumerate(times):
        while moment - times[start] >= window:
            start += 1
        best = max(best, end - start + 1)
    return best


def hammer(client, *, seconds: int, every: float, addresses: list[str]) -> list[float]:
    """Guess wrong codes from the addresses in turn; returns when guesses got through."""
    allowed: list[float] = []
    start = timezone.now()
    steps = int(seconds / every)
    with time_machine.travel(start, tick=False) as clock:
        for step in range(steps):
            address = addresses[step % len(addresses)]
            response = client.post("/en/return/", {"code": f"{step:016d}"}, REMOTE_ADDR=address)
            assert response.status_code in (400, 429)
            if response.status_code == 400:  # the code was actually checked
                allowed.append(step * every)
            clock.shift(timedelta(seconds=every))
    return allowed


def test_one_source_gets_at_most_ten_guesses_in_any_ten_minutes(client, settings):
    limits = settings.HUOLI_RETURN_CODE_LIMITS
    allowed = hammer(client, seconds=3600, every=5, addresses=["203.0.113.7"])
    assert most_in_any_window(allowed, limits["source_window"]) <= limits["source_attempts"]
    assert len(allowed) >= 3600 // limits["source_window"]  # and the limit does let some in
    assert most_in_any_window(allowed, limits["source_window"]) == limits["source_attempts"]


def test_many_sources_together_stay_under_the_site_limit(client, settings):
    settings.HUOLI_RETURN_CODE_LIMITS = {
        **settings.HUOLI_RETURN_CODE_LIMITS,
        "site_attempts": 40,  # smaller than the default 300, so the test stays quick
    }
    addresses = [f"198.51.100.{n}" for n in range(1, 200)]
    allowed = hammer(client, seconds=1800, every=2, addresses=addresses)
    assert most_in_any_window(allowed, 600) <= 40
    assert most_in_any_window(allowed, 600) == 40


def test_the_right_code_is_refused_too_while_the_limit_holds(client, settings):
    settings.HUOLI_RETURN_CODE_LIMITS = {**settings.HUOLI_RETURN_CODE_LIMITS, "source_attempts": 3}
    access = conversation_start(kind="message", language="fi", first_message="Hei")
    for n in range(3):
        client.post("/en/return/", {"code": f"{n:016d}"}, REMOTE_ADDR="203.0.113.9")
    refused = client.post("/en/return/", {"code": access.return_code}, REMOTE_ADDR="203.0.113.9")
    assert refused.status_code == 429
    welcome = client.post("/en/return/", {"code": access.return_code}, REMOTE_ADDR="203.0.113.10")
    assert welcome.status_code == 302


def test_no_address_is_kept_anywhere(client, caplog, tmp_path):
    caplog.set_level(logging.DEBUG)
    hammer(client, seconds=120, every=2, addresses=["203.0.113.77", "2001:db8::77"])
    dump = tmp_path / "dump.json"
    call_command("dumpdata", output=str(dump), verbosity=0)
    stored = dump.read_text()
    keys = " ".join(cache_keys())
    assert any("throttle:rc:src:" in key for key in keys.split())  # the counters are there
    for address in ("203.0.113.77", "2001:db8::77"):
        assert address not in stored
        assert address not in keys
        assert address not in caplog.text

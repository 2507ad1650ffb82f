"""Guessing limits for return codes, per source and site-wide, kept only in the cache.

Threat answered: online guessing of return codes (promise 1 of docs/design.md forbids storing
addresses). The per-source counter is keyed by an HMAC of the source under a key that changes every
day, lives in the cache (process memory or Redis) and expires within the window; the address
itself is never stored or logged. A source is an IPv4 address or an IPv6 address's /64 (one
home or one rented server gets a whole /64, so counting single IPv6 addresses would give a
script billions of sources). A source past its own limit is refused. Past the site-wide
limit nobody is refused: every guess then needs a proof of work or a short wait first
(``conversations.flood.gate_check``), so guessing from many addresses stays expensive and cannot
lock families out (issue 13, decision 0022). The work grows with the guessing past the limit
(``return_code_work``), and only a few codes are hashed at once in one process
(``return_code_check_slot``), so guessing cannot exhaust the server either.

The same counters bound how many conversations one source may start while the flood switch
is on (``flood_start_*``): waiting, or doing the work, buys a source only a few.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache


def _daily_key(moment: float | None = None) -> bytes:
    day = time.strftime("%Y-%m-%d", time.gmtime(moment))
    return hmac.new(settings.SECRET_KEY.encode(), f"throttle:{day}".encode(), "sha256").digest()


def source_of(address: str) -> str:
    """What one source is: an IPv4 address (also written IPv4-mapped), an IPv6 /64."""
    try:
        ip = ipaddress.ip_address(address.split("%")[0])
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network(f"{ip}/64", strict=False))
    return str(ip)


def source_key(address: str, moment: float | None = None) -> str:
    """The source of ``address`` under the key of ``moment``'s day (today's by default); the
    address cannot be read back."""
    digest = hmac.new(_daily_key(moment), source_of(address).encode(), hashlib.sha256)
    return digest.hexdigest()[:32]


Key = str | Callable[[float], str]


def _source(prefix: str, address: str) -> Key:
    """A counter's key for ``address``'s source, under the day key of each counted window's
    start: the window before midnight keeps yesterday's key, so the day's new key does not
    give a source a fresh count at midnight."""
    return lambda moment: f"{prefix}:{source_key(address, moment)}"


def _bucket_keys(key: Key, window: int) -> tuple[str, str]:
    bucket = int(time.time() // window)
    name = key if callable(key) else lambda _moment: key
    return (
        f"throttle:{name(bucket * window)}:{bucket}",
        f"throttle:{name((bucket - 1) * window)}:{bucket - 1}",
    )


def _hit(key: Key, window: int) -> int:
    """Count one attempt; returns the attempts in this window and the one before it.

    Any stretch of ``window`` seconds lies within two consecutive fixed windows, so keeping
    their sum under the limit keeps every sliding window under it too (a fixed window alone
    would let twice the limit through around its edge)."""
    full_key, previous = _bucket_keys(key, window)
    cache.add(full_key, 0, timeout=2 * window + 5)
    try:
        current = cache.incr(full_key)
    except ValueError:  # expired between add and incr
        cache.set(full_key, 1, timeout=2 * window + 5)
        current = 1
    return current + (cache.get(previous) or 0)


def _count(key: Key, window: int) -> int:
    return sum(value or 0 for value in cache.get_many(_bucket_keys(key, window)).values())


def _until_older_bucket_leaves(window: int) -> int:
    """Seconds until the older of the two counted windows drops out of the sum."""
    return max(1, int(window - time.time() % window + 0.999))


@dataclass(frozen=True)
class Attempt:
    allowed: bool  # this source is within its own limit
    busy: bool  # the site is past its limit: the guess needs a proof of work or a wait first


def return_code_attempt(address: str) -> Attempt:
    """Count one attempt from ``address``'s source, and one site-wide only while the source
    is within its own limit: a source refused without a check must not raise the site's
    count, or one address could make every family's return slow (the work grows with it)."""
    limits = settings.HUOLI_RETURN_CODE_LIMITS
    per_source = _hit(_source("rc:src", address), limits["source_window"])
    allowed = per_source <= limits["source_attempts"]
    if allowed:
        per_site = _hit("rc:site", limits["site_window"])
    else:
        per_site = _count("rc:site", limits["site_window"])
    return Attempt(allowed=allowed, busy=per_site > limits["site_attempts"])


def return_code_site_busy() -> bool:
    """Whether the next guess will need the work (counts nothing: for showing the form)."""
    limits = settings.HUOLI_RETURN_CODE_LIMITS
    return _count("rc:site", limits["site_window"]) >= limits["site_attempts"]


@dataclass(frozen=True)
class Work:
    bits: int  # proof-of-work bits asked before a code is checked
    wait_seconds: int  # the waiting room's wait without JavaScript


def return_code_work(*, bits: int, wait_seconds: int) -> Work:
    """What a guess costs now: the flood switch's work and wait, one bit (and one more wait)
    more for each further ``site_attempts`` guesses past the site-wide limit in the window,
    up to ``max_bits`` (an Argon2 hash costs the server 40-240 ms and 32 MiB; 22 bits cost a
    script's native SHA-256 about as much, a phone's browser about a minute)."""
    limits = settings.HUOLI_RETURN_CODE_LIMITS
    past = _count("rc:site", limits["site_window"]) - limits["site_attempts"]
    step = max(1, limits["site_attempts"])
    extra = min(max(0, past) // step, max(0, limits["max_bits"] - bits))
    return Work(bits=bits + extra, wait_seconds=min(300, wait_seconds * (1 + extra)))


_check_slots: dict[int, threading.BoundedSemaphore] = {}
_check_slots_lock = threading.Lock()


@contextmanager
def return_code_check_slot() -> Iterator[bool]:
    """One of the few return-code checks this process runs at once (each is an Argon2 hash
    of 32 MiB); yields False when none came free within ``check_wait`` seconds. This refuses
    nobody in particular: whoever asks then hears "try again in a moment"."""
    limits = settings.HUOLI_RETURN_CODE_LIMITS
    size = limits["concurrent_checks"]
    with _check_slots_lock:
        slots = _check_slots.setdefault(size, threading.BoundedSemaphore(size))
    taken = slots.acquire(timeout=limits["check_wait"])
    try:
        yield taken
    finally:
        if taken:
            slots.release()


def flood_start_refused(address: str) -> int:
    """With the flood switch on: 0 while ``address``'s source may still start a
    conversation this hour, else the seconds until it may (counts nothing)."""
    limits = settings.HUOLI_FLOOD_STARTS
    if _count(_source("start:src", address), limits["window"]) < limits["per_source"]:
        return 0
    return _until_older_bucket_leaves(limits["window"])


def flood_start_counted(address: str) -> int:
    """Count one conversation started by ``address``'s source (after the work or the wait);
    0 if it is within the limit, else the seconds until the source may start another."""
    limits = settings.HUOLI_FLOOD_STARTS
    if _hit(_source("start:src", address), limits["window"]) <= limits["per_source"]:
        return 0
    return _until_older_bucket_leaves(limits["window"])

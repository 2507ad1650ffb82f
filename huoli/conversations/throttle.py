"""Guessing limits for return codes, per source and site-wide, kept only in the cache.

Threat answered: online guessing of return codes (promise 1 forbids storing addresses). The
per-source counter is keyed by an HMAC of the source under a key that changes every day,
lives in the cache (process memory or Redis) and expires within the window; the address
itself is never stored or logged. A source is an IPv4 address or an IPv6 address's /64 (one
home or one rented server gets a whole /64, so counting single IPv6 addresses would give a
script billions of sources). A source past its own limit is refused. Past the site-wide
limit nobody is refused: every guess then needs a proof of work or a short wait first
(``helpline.flood.gate_check``), so guessing from many addresses stays expensive and cannot
lock families out (issue 13, decision 0022).
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache


def _daily_key() -> bytes:
    day = time.strftime("%Y-%m-%d", time.gmtime())
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


def source_key(address: str) -> str:
    """The source of ``address`` under today's key; the address cannot be read back."""
    return hmac.new(_daily_key(), source_of(address).encode(), hashlib.sha256).hexdigest()[:32]


def _bucket_keys(key: str, window: int) -> tuple[str, str]:
    bucket = int(time.time() // window)
    return f"throttle:{key}:{bucket}", f"throttle:{key}:{bucket - 1}"


def _hit(key: str, window: int) -> int:
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


def _count(key: str, window: int) -> int:
    return sum(value or 0 for value in cache.get_many(_bucket_keys(key, window)).values())


@dataclass(frozen=True)
class Attempt:
    allowed: bool  # this source is within its own limit
    busy: bool  # the site is past its limit: the guess needs a proof of work or a wait first


def return_code_attempt(address: str) -> Attempt:
    """Count one attempt from ``address``'s source and one site-wide."""
    limits = settings.HUOLI_RETURN_CODE_LIMITS
    per_source = _hit(f"rc:src:{source_key(address)}", limits["source_window"])
    per_site = _hit("rc:site", limits["site_window"])
    return Attempt(
        allowed=per_source <= limits["source_attempts"],
        busy=per_site > limits["site_attempts"],
    )


def return_code_site_busy() -> bool:
    """Whether the next guess will need the work (counts nothing: for showing the form)."""
    limits = settings.HUOLI_RETURN_CODE_LIMITS
    return _count("rc:site", limits["site_window"]) >= limits["site_attempts"]

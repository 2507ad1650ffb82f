"""Guessing limits for return codes, per site and per source, kept only in the cache.

Threat answered: online guessing of return codes (promise 1 forbids storing addresses). The
per-source counter is keyed by an HMAC of the address under a key that changes every day,
lives in the cache (process memory or Redis) and expires within the window; the address
itself is never stored or logged.
"""

from __future__ import annotations

import hashlib
import hmac
import time

from django.conf import settings
from django.core.cache import cache


def _daily_key() -> bytes:
    day = time.strftime("%Y-%m-%d", time.gmtime())
    return hmac.new(settings.SECRET_KEY.encode(), f"throttle:{day}".encode(), "sha256").digest()


def source_key(address: str) -> str:
    return hmac.new(_daily_key(), address.encode(), hashlib.sha256).hexdigest()[:32]


def _hit(key: str, window: int) -> int:
    """Count one attempt; returns the attempts in this window and the one before it.

    Any stretch of ``window`` seconds lies within two consecutive fixed windows, so keeping
    their sum under the limit keeps every sliding window under it too (a fixed window alone
    would let twice the limit through around its edge)."""
    bucket = int(time.time() // window)
    full_key = f"throttle:{key}:{bucket}"
    cache.add(full_key, 0, timeout=2 * window + 5)
    try:
        current = cache.incr(full_key)
    except ValueError:  # expired between add and incr
        cache.set(full_key, 1, timeout=2 * window + 5)
        current = 1
    return current + (cache.get(f"throttle:{key}:{bucket - 1}") or 0)


def return_code_attempt_allowed(address: str) -> bool:
    """Count one attempt; False when the site-wide or this source's limit is reached."""
    limits = settings.HUOLI_RETURN_CODE_LIMITS
    per_source = _hit(f"rc:src:{source_key(address)}", limits["source_window"])
    per_site = _hit("rc:site", limits["site_window"])
    return per_source <= limits["source_attempts"] and per_site <= limits["site_attempts"]

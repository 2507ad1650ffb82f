"""The flood gate: a proof of work or a waiting room before a new chat or message starts,
while the flood switch (``helpline.models.FloodSwitch``, set by
``helpline.services.flood_switch_set``) is on. ``services.start.conversation_start`` asks it.

Threat answered: a flood of abusive or automated visitors filling the chat queue. When a
supervisor turns the switch on, the start form carries a signed challenge; the browser finds
a nonce whose SHA-256 with the challenge starts with ``bits`` zero bits (``pow.js``), which
costs a visitor about a second and a script that opens thousands of chats as many seconds
of processor time. A browser without JavaScript instead gets a signed waiting-room ticket
that is accepted only after ``wait_seconds``. Challenges and tickets are signed, expire in
ten minutes and are accepted once (the cache remembers used ones); neither holds anything
about the visitor. A script that never does the work gets only a few tickets: each source
(``throttle.source_key``, a daily-keyed hash of an IPv4 address or an IPv6
/64) may hold ``HUOLI_FLOOD_TICKETS["per_source"]`` unspent tickets and the whole site
``["site"]``; beyond that the answer is "try again in a moment" (issue 13, decision 0022).
Neither the wait nor the work buys one source more than ``HUOLI_FLOOD_STARTS["per_source"]``
conversations an hour (``start_gate``), and chats through the waiting room fill only part of
the queue, so the rest stays for browsers that did the work.
The same gate asks for the work before a return code is checked while guessing is over its
site-wide limit (``throttle``; ``public.views.return_view``).
"""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.cache import cache

from huoli.conversations.selectors import queued_chats_count
from huoli.conversations.throttle import flood_start_counted, flood_start_refused, source_key

SALT = "huoli.flood"
MAX_AGE = 600


def challenge_issue(bits: int) -> str:
    return signing.dumps({"k": "pow", "b": bits, "r": secrets.token_hex(8)}, salt=SALT)


def _slot_take(prefix: str, count: int, ticket_id: str) -> str | None:
    """Take a free one of ``count`` places (``cache.add`` takes each at most once, also in
    Redis); a place comes free when its ticket is spent or expires."""
    keys = [f"{prefix}:{n}" for n in range(count)]
    taken = cache.get_many(keys)
    for key in keys:
        if key not in taken and cache.add(key, ticket_id, MAX_AGE + 60):
            return key
    return None


def ticket_issue(*, address: str) -> str | None:
    """A waiting-room ticket, or None when this source or the site holds its most unspent."""
    limits = settings.HUOLI_FLOOD_TICKETS
    ticket_id = secrets.token_hex(8)
    # The source's places are named with the day's key. For as long as a ticket lives after
    # midnight (UTC), the places taken under yesterday's key still count, or a source would
    # get a fresh set of places at midnight.
    now = time.time()
    today = f"flood:slot:{source_key(address, now)}"
    earlier = f"flood:slot:{source_key(address, now - MAX_AGE - 60)}"
    held_earlier = 0
    if earlier != today:
        held_earlier = len(cache.get_many([f"{earlier}:{n}" for n in range(limits["per_source"])]))
    mine = _slot_take(today, limits["per_source"] - held_earlier, ticket_id)
    if mine is None:
        return None
    site = _slot_take("flood:slot:site", limits["site"], ticket_id)
    if site is None:
        cache.delete(mine)
        return None
    cache.set(f"flood:ticket:{ticket_id}", [mine, site], MAX_AGE + 60)
    return signing.dumps({"k": "wait", "t": time.time(), "r": ticket_id}, salt=SALT)


def _ticket_spent(ticket_id: str) -> None:
    places = cache.get(f"flood:ticket:{ticket_id}") or []
    cache.delete_many([*places, f"flood:ticket:{ticket_id}"])


def leading_zero_bits(digest: bytes) -> int:
    bits = 0
    for byte in digest:
        if byte == 0:
            bits += 8
            continue
        return bits + 8 - byte.bit_length()
    return bits


def work_done(challenge: str, nonce: str) -> int:
    """How many leading zero bits SHA-256("<challenge>:<nonce>") has."""
    return leading_zero_bits(hashlib.sha256(f"{challenge}:{nonce}".encode()).digest())


def _use_once(value: str) -> bool:
    key = "flood:used:" + hashlib.sha256(value.encode()).hexdigest()
    return cache.add(key, 1, MAX_AGE + 60)


@dataclass(frozen=True)
class Gate:
    passed: bool
    wait: int = 0  # seconds still to wait in the waiting room
    ticket: str = ""  # the waiting-room ticket to carry on with
    full: bool = False  # no ticket to give: too many are waiting; try again in a moment
    retry_after: int = 30  # with ``full``: seconds until trying again makes sense


def gate_check(
    *,
    challenge: str,
    nonce: str,
    ticket: str,
    wait_seconds: int,
    address: str,
    min_bits: int = 0,
    waiting_room: bool = True,
) -> Gate:
    """Whether a request did the work or waited long enough. ``address`` only picks the
    source's places for tickets (it is hashed, never kept). ``min_bits`` asks at least that
    much work whatever the challenge said (the work grew since it was handed out); without
    ``waiting_room`` no ticket is taken or given, only the work gets through."""
    if challenge and nonce and len(nonce) <= 32:
        try:
            data = signing.loads(challenge, salt=SALT, max_age=MAX_AGE)
        except signing.BadSignature:
            data = None
        if (
            isinstance(data, dict)
            and data.get("k") == "pow"
            and work_done(challenge, nonce) >= max(int(data.get("b", 99)), min_bits)
            and _use_once(challenge)
        ):
            return Gate(passed=True)
    if not waiting_room:
        return Gate(passed=False, full=True)
    if ticket:
        try:
            data = signing.loads(ticket, salt=SALT, max_age=MAX_AGE)
        except signing.BadSignature:
            data = None
        if isinstance(data, dict) and data.get("k") == "wait":
            left = int(data.get("t", 0) + wait_seconds - time.time() + 0.999)
            if left > 0:
                return Gate(passed=False, wait=left, ticket=ticket)
            if _use_once(ticket):
                _ticket_spent(str(data.get("r", "")))
                return Gate(passed=True)
    issued = ticket_issue(address=address)
    if issued is None:
        return Gate(passed=False, full=True)
    return Gate(passed=False, wait=wait_seconds, ticket=issued)


def waiting_room_open_for_chats() -> bool:
    """Whether a chat may still come through the waiting room (no work): it fills the queue
    only up to ``HUOLI_FLOOD_STARTS["waiting_room_queue"]``."""
    return queued_chats_count() < settings.HUOLI_FLOOD_STARTS["waiting_room_queue"]


def start_gate(
    *, challenge: str, nonce: str, ticket: str, wait_seconds: int, address: str, waiting_room: bool
) -> Gate:
    """The flood gate before a new chat or message: the source's starts this hour, then the
    work or the wait (``gate_check``); a pass counts one start for the source."""
    retry = flood_start_refused(address)
    if retry:
        return Gate(passed=False, full=True, retry_after=retry)
    gate = gate_check(
        challenge=challenge,
        nonce=nonce,
        ticket=ticket,
        wait_seconds=wait_seconds,
        address=address,
        waiting_room=waiting_room,
    )
    if gate.passed:
        retry = flood_start_counted(address)
        if retry:
            return Gate(passed=False, full=True, retry_after=retry)
    return gate

"""The flood switch: a proof of work or a waiting room before a new chat starts.

Threat answered: a flood of abusive or automated visitors filling the chat queue. When a
supervisor turns the switch on, the start form carries a signed challenge; the browser finds
a nonce whose SHA-256 with the challenge starts with ``bits`` zero bits (``pow.js``), which
costs a visitor about a second and a script that opens thousands of chats as many seconds
of processor time. A browser without JavaScript instead gets a signed waiting-room ticket
that is accepted only after ``wait_seconds``. Challenges and tickets are signed, expire in
ten minutes and are accepted once (the cache remembers used ones); neither holds anything
about the visitor, and no address is read.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass

from django.core import signing
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from huoli.core.audit import audit_record
from huoli.helpline.models import FloodSwitch

SALT = "huoli.flood"
MAX_AGE = 600


def challenge_issue(bits: int) -> str:
    return signing.dumps({"k": "pow", "b": bits, "r": secrets.token_hex(8)}, salt=SALT)


def ticket_issue() -> str:
    return signing.dumps({"k": "wait", "t": time.time(), "r": secrets.token_hex(8)}, salt=SALT)


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


def gate_check(*, challenge: str, nonce: str, ticket: str, wait_seconds: int) -> Gate:
    """Whether a start request did the work or waited long enough."""
    if challenge and nonce and len(nonce) <= 32:
        try:
            data = signing.loads(challenge, salt=SALT, max_age=MAX_AGE)
        except signing.BadSignature:
            data = None
        if (
            isinstance(data, dict)
            and data.get("k") == "pow"
            and work_done(challenge, nonce) >= int(data.get("b", 99))
            and _use_once(challenge)
        ):
            return Gate(passed=True)
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
                return Gate(passed=True)
    return Gate(passed=False, wait=wait_seconds, ticket=ticket_issue())


@transaction.atomic
def flood_switch_set(*, by, on: bool) -> FloodSwitch:
    switch = FloodSwitch.objects.select_for_update().get(pk=FloodSwitch.saved().pk)
    switch.on = on
    switch.changed_at = timezone.now()
    switch.changed_by = by
    switch.save()
    audit_record(actor=by, action="helpline.flood_switch", object_type="helpline", data={"on": on})
    return switch

"""Return codes: 16 random digits, stored only as a slow keyed hash.

Threat answered: a stolen database must not let anyone open a family's conversation. The
hash is Argon2id over an HMAC of the code keyed with a pepper kept outside the database, so
without the pepper nothing can be tested at all, and with it each guess still costs a slow
hash. Online guessing is throttled (``conversations.throttle``).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from argon2.low_level import Type, hash_secret_raw
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

CODE_DIGITS = 16
SALT = b"huoli-return-code-v1"


def generate() -> str:
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


def normalise(text: str) -> str | None:
    """The 16 digits of what a visitor typed (spaces and dashes allowed), or None."""
    digits = "".join(ch for ch in text if not ch.isspace() and ch != "-")
    if len(digits) != CODE_DIGITS or not digits.isascii() or not digits.isdigit():
        return None
    return digits


def grouped(code: str) -> str:
    return " ".join(code[i : i + 4] for i in range(0, CODE_DIGITS, 4))


def code_hash(code: str) -> str:
    keyed = hmac.new(settings.HUOLI_RETURN_CODE_PEPPER.encode(), code.encode(), hashlib.sha256)
    params = settings.HUOLI_RETURN_CODE_HASH
    raw = hash_secret_raw(
        keyed.digest(),
        SALT,
        time_cost=params["time_cost"],
        memory_cost=params["memory_cost"],
        parallelism=1,
        hash_len=32,
        type=Type.ID,
    )
    return raw.hex()


def token_hash(token: str) -> str:
    """Hash of the random browser token; fast is enough for 256 random bits."""
    return hashlib.sha256(token.encode()).hexdigest()


def _browser_key(token: str) -> bytes:
    return hmac.new(token.encode(), b"huoli-return-code-shown", hashlib.sha256).digest()


def sealed_for_browser(code: str, token: str) -> str:
    """The code encrypted under a key made from the browser's random token, which only the
    visitor's cookie holds (the server keeps its SHA-256). The page that shows the code for
    a few minutes keeps this in the cache, so the cache (Redis in production) never holds
    a code in plain text and only the browser that started the conversation can show it."""
    nonce = secrets.token_bytes(12)
    return (nonce + AESGCM(_browser_key(token)).encrypt(nonce, code.encode(), None)).hex()


def unsealed_for_browser(sealed: str, token: str) -> str | None:
    """The code sealed by ``sealed_for_browser`` for this token, or None."""
    try:
        raw = bytes.fromhex(sealed)
        return AESGCM(_browser_key(token)).decrypt(raw[:12], raw[12:], None).decode()
    except (ValueError, InvalidTag):
        return None

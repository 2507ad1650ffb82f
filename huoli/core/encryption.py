"""Authenticated encryption of free text at rest (promise 3, docs/design.md).

Threat answered: a copy of the database (a leaked backup, a read-only SQL injection) must not
reveal what families wrote or what counsellors noted. Keys live outside the database
(``huoli.keys``). AES-256-GCM authenticates each value, and the associated data binds it to
its row and column (``<app>.<Model>.<field>#<primary key>``, decision 0020), so a
ciphertext copied into another row or column, or edited, fails to decrypt instead of showing
something else.

Stored form: ``enc2:<key id>:<base64(nonce || ciphertext+tag)>``, bound to the row. Values
written before rows were bound (``enc1:``, the column alone as associated data) still
decrypt; ``manage.py reencrypt`` rewrites them as ``enc2``. The key id is derived from the
key, so several keys can be configured and old rows stay readable after rotation.
"""

from __future__ import annotations

import base64
import hashlib
import os
from dataclasses import dataclass
from functools import cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

from huoli.keys import decode_data_key

PREFIX = "enc2"  # bound to row and column
COLUMN_PREFIX = "enc1"  # bound to the column only: read, and written only before a row has a key
NONCE_BYTES = 12


class DecryptionError(Exception):
    """A stored value could not be decrypted: unknown key, tampered or moved ciphertext."""


@dataclass(frozen=True)
class Keyring:
    primary_id: str
    ciphers: dict[str, AESGCM]

    @classmethod
    def from_texts(cls, texts: list[str]) -> Keyring:
        if not texts:
            raise ValueError("at least one data key is needed")
        ciphers: dict[str, AESGCM] = {}
        for text in texts:
            raw = decode_data_key(text)
            ciphers[key_id(raw)] = AESGCM(raw)
        return cls(primary_id=key_id(decode_data_key(texts[0])), ciphers=ciphers)

    def encrypt(self, plaintext: str, context: str, *, row: object = None) -> str:
        """``enc2`` bound to ``context`` and the row's primary key; without a row (only
        before a new row has its key, and in migrations), ``enc1`` bound to the column."""
        prefix, data = (COLUMN_PREFIX, context) if row is None else (PREFIX, _bound(context, row))
        nonce = os.urandom(NONCE_BYTES)
        sealed = self.ciphers[self.primary_id].encrypt(nonce, plaintext.encode(), data.encode())
        payload = base64.urlsafe_b64encode(nonce + sealed).decode()
        return f"{prefix}:{self.primary_id}:{payload}"

    def decrypt(self, stored: str, context: str, *, row: object = None) -> str:
        try:
            prefix, kid, payload = stored.split(":", 2)
        except ValueError as error:
            raise DecryptionError("not an encrypted value") from error
        if prefix == COLUMN_PREFIX:
            data = context
        elif prefix == PREFIX:
            if row is None:
                raise DecryptionError(f"{context}: a row-bound value needs its row's key")
            data = _bound(context, row)
        else:
            raise DecryptionError("not an encrypted value")
        cipher = self.ciphers.get(kid)
        if cipher is None:
            raise DecryptionError(f"no configured data key has the id {kid}")
        blob = base64.urlsafe_b64decode(payload.encode())
        try:
            plain = cipher.decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], data.encode())
        except InvalidTag as error:
            where = context if row is None else _bound(context, row)
            raise DecryptionError(
                f"{where}: the value was altered or belongs to another row or column"
            ) from error
        return plain.decode()

    def key_id_of(self, stored: str) -> str | None:
        parts = stored.split(":", 2)
        return parts[1] if len(parts) == 3 and parts[0] in (PREFIX, COLUMN_PREFIX) else None

    def is_current(self, stored: str) -> bool:
        """Under the primary key and bound to its row: nothing for ``reencrypt`` to do."""
        return stored.startswith(f"{PREFIX}:{self.primary_id}:")


def _bound(context: str, row: object) -> str:
    return f"{context}#{row}"


def key_id(raw_key: bytes) -> str:
    return hashlib.sha256(b"huoli-data-key-id:" + raw_key).hexdigest()[:12]


@cache
def _keyring_for(texts: tuple[str, ...]) -> Keyring:
    return Keyring.from_texts(list(texts))


def keyring() -> Keyring:
    """The keyring of the current settings (cached per key list, so tests may change keys)."""
    return _keyring_for(tuple(settings.HUOLI_DATA_KEYS))

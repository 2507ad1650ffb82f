"""Encrypted backups of the database and the keys, and their restore (``manage.py backup``,
``manage.py restore``).

Threat answered: theft of a backup. A backup holds everything (the text of conversations and
notes, and the keys that decrypt the live database), so the whole file is encrypted under a
passphrase that is not kept on the server: scrypt derives a key from it, and the content is
written in AES-256-GCM chunks of 1 MiB whose nonces count up and whose last chunk is marked,
so a chunk changed, reordered, dropped or cut off at the end fails the restore instead of
loading part of the data.

The content is Django's JSON serialisation of every table except content types, permissions
and sessions (staff log in again after a restore), with a manifest line first. Free text is
serialised decrypted and encrypted again under the restored data keys on load; the audit
log is copied row for row, so its hash chain still verifies. The format does not depend on
the database engine: a backup of SQLite restores into PostgreSQL and back.
"""

from __future__ import annotations

import datetime as dt
import gzip
import io
import json
import os
import secrets
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.core.management import call_command
from django.core.management.color import no_style
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.test.utils import override_settings
from django.utils import timezone

from huoli import keys

# Version 2 writes the scrypt parameters into the header (which every chunk authenticates);
# version 1 files (n=2^15, r=8, p=1, decision 0015) still restore.
MAGIC = b"HUOLI-BACKUP-2\n"
MAGIC_V1 = b"HUOLI-BACKUP-1\n"
SALT_BYTES = 16
PREFIX_BYTES = 8
CHUNK = 1 << 20
# OWASP Password Storage Cheat Sheet (2023): scrypt with N >= 2^17, r >= 8, p >= 1.
SCRYPT_LOG2_N, SCRYPT_R, SCRYPT_P = 17, 8, 1
V1_PARAMS = (15, 8, 1)
PARAMS = struct.Struct(">BBB")
# Bounds for parameters read from a file: weaker than version 1 or costlier than 1 GiB of
# memory is refused rather than tried.
PARAMS_ALLOWED = (range(15, 21), range(8, 17), range(1, 5))
MAX_SCRYPT_MEMORY = 1 << 30  # scrypt needs about 128 * r * N bytes (and 128 * r * p more)


def scrypt_memory(log_n: int, r: int, p: int) -> int:
    return 128 * r * ((1 << log_n) + p)


MIN_PASSPHRASE = 12
EXCLUDED = {"contenttypes.ContentType", "auth.Permission", "sessions.Session"}


class _ExactEncoder(DjangoJSONEncoder):
    """Django's encoder cuts times to milliseconds; a backup keeps them whole (the audit
    log's hashes cover the microseconds)."""

    def default(self, o):
        if isinstance(o, (dt.datetime, dt.time)):
            return o.isoformat()
        return super().default(o)


class BackupError(Exception):
    """The backup cannot be written or read; the message says why, for the operator."""


def _derive(passphrase: str, salt: bytes, params: tuple[int, int, int]) -> AESGCM:
    log2_n, r, p = params
    key = Scrypt(salt=salt, length=32, n=1 << log2_n, r=r, p=p).derive(passphrase.encode())
    return AESGCM(key)


def backup_kdf_params(path: Path) -> tuple[int, int, int]:
    """The scrypt parameters (log2 n, r, p) a backup file was written with."""
    with open(path, "rb") as source:
        return _read_header(source)[1]


def _read_header(source: BinaryIO) -> tuple[bytes, tuple[int, int, int], bytes, bytes]:
    """(header, params, salt, prefix) of a version 1 or version 2 file."""
    magic = source.read(len(MAGIC))
    if magic == MAGIC_V1:
        params, raw_params = V1_PARAMS, b""
    elif magic == MAGIC:
        raw_params = source.read(PARAMS.size)
        if len(raw_params) < PARAMS.size:
            raise BackupError("This is not a Huoli backup file.")
        params = PARAMS.unpack(raw_params)
        if not all(value in allowed for value, allowed in zip(params, PARAMS_ALLOWED)):  # noqa: B905
            raise BackupError("The backup file's key derivation parameters are out of bounds.")
        if scrypt_memory(*params) > MAX_SCRYPT_MEMORY:
            raise BackupError("The backup file's key derivation parameters are out of bounds.")
    else:
        raise BackupError("This is not a Huoli backup file.")
    rest = source.read(SALT_BYTES + PREFIX_BYTES)
    if len(rest) < SALT_BYTES + PREFIX_BYTES:
        raise BackupError("This is not a Huoli backup file.")
    return magic + raw_params + rest, params, rest[:SALT_BYTES], rest[SALT_BYTES:]


def passphrase_check(passphrase: str) -> None:
    if len(passphrase) < MIN_PASSPHRASE:
        raise BackupError(
            f"The passphrase must have at least {MIN_PASSPHRASE} characters "
            "(a few unrelated words are easy to keep and hard to guess)."
        )


class _EncryptingWriter(io.RawIOBase):
    """A write-only stream that encrypts what is written, chunk by chunk."""

    def __init__(
        self,
        out: BinaryIO,
        passphrase: str,
        params: tuple[int, int, int] = (SCRYPT_LOG2_N, SCRYPT_R, SCRYPT_P),
    ):
        salt, self._prefix = secrets.token_bytes(SALT_BYTES), secrets.token_bytes(PREFIX_BYTES)
        if params == V1_PARAMS:  # only to show that old files still restore
            self._header = MAGIC_V1 + salt + self._prefix
        else:
            self._header = MAGIC + PARAMS.pack(*params) + salt + self._prefix
        self._cipher = _derive(passphrase, salt, params)
        self._out, self._buffer, self._counter = out, bytearray(), 0
        out.write(self._header)

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self._buffer += data
        while len(self._buffer) > CHUNK:
            self._emit(bytes(self._buffer[:CHUNK]), final=False)
            del self._buffer[:CHUNK]
        return len(data)

    def _emit(self, chunk: bytes, *, final: bool) -> None:
        nonce = self._prefix + struct.pack(">I", self._counter)
        sealed = self._cipher.encrypt(nonce, chunk, self._header + (b"\1" if final else b"\0"))
        self._out.write(struct.pack(">I", len(sealed)) + sealed)
        self._counter += 1

    def close(self) -> None:
        if not self.closed:
            self._emit(bytes(self._buffer), final=True)
            self._buffer.clear()
        super().close()


def _decrypted_chunks(source: BinaryIO, passphrase: str) -> Iterator[bytes]:
    header, params, salt, prefix = _read_header(source)
    cipher = _derive(passphrase, salt, params)
    counter = 0
    while True:
        length_bytes = source.read(4)
        if len(length_bytes) < 4:
            raise BackupError("The backup file is cut short: its end is missing.")
        sealed = source.read(struct.unpack(">I", length_bytes)[0])
        nonce = prefix + struct.pack(">I", counter)
        for final in (False, True):
            try:
                chunk = cipher.decrypt(nonce, sealed, header + (b"\1" if final else b"\0"))
            except InvalidTag:
                continue
            yield chunk
            if final:
                if source.read(1):
                    raise BackupError("The backup file has data after its end.")
                return
            break
        else:
            raise BackupError(
                "The passphrase is wrong or the backup file was changed."
                if counter == 0
                else f"The backup file was changed or damaged (part {counter + 1})."
            )
        counter += 1


def _models():
    chosen = [
        model
        for model in apps.get_models()
        if model._meta.label not in EXCLUDED and model._meta.managed and not model._meta.proxy
    ]
    return serializers.sort_dependencies([(None, chosen)], allow_cycles=True)


def _migration_state(using: str) -> dict[str, str]:
    latest: dict[str, str] = {}
    for app, name in MigrationRecorder(connections[using]).applied_migrations():
        latest[app] = max(latest.get(app, ""), name)
    return dict(sorted(latest.items()))


def _current_keys() -> dict:
    return {
        "secret_key": settings.SECRET_KEY,
        "data_keys": list(settings.HUOLI_DATA_KEYS),
        "return_code_pepper": settings.HUOLI_RETURN_CODE_PEPPER,
    }


@dataclass(frozen=True)
class BackupSummary:
    path: Path
    counts: dict[str, int]
    size: int


def backup_write(
    path: Path,
    passphrase: str,
    *,
    using: str = DEFAULT_DB_ALIAS,
    kdf: tuple[int, int, int] = (SCRYPT_LOG2_N, SCRYPT_R, SCRYPT_P),
) -> BackupSummary:
    """Write an encrypted backup of the database and the keys to ``path`` (made 0600).

    Reads in one transaction, so the copy is consistent while the helpline keeps working."""
    passphrase_check(passphrase)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    counts: dict[str, int] = {}
    models = _models()
    try:
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with (
            os.fdopen(fd, "wb") as out,
            _EncryptingWriter(out, passphrase, kdf) as writer,
            gzip.GzipFile(fileobj=writer, mode="wb", mtime=0) as zipped,
            io.TextIOWrapper(zipped, encoding="utf-8") as text,
            transaction.atomic(using=using),
        ):
            manifest = {
                "format": 1,
                "created_at": timezone.now().isoformat(),
                "vendor": connections[using].vendor,
                "migrations": _migration_state(using),
                "keys": _current_keys(),
            }
            text.write(json.dumps(manifest) + "\n")

            def objects():
                for model in models:
                    manager = model._base_manager.using(using).order_by(model._meta.pk.name)
                    count = 0
                    for obj in manager.iterator(chunk_size=2000):
                        count += 1
                        yield obj
                    if count:
                        counts[model._meta.label] = count

            serializers.serialize(
                "json", objects(), stream=text, use_natural_foreign_keys=True, cls=_ExactEncoder
            )
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
    return BackupSummary(path=path, counts=counts, size=path.stat().st_size)


def backup_read(path: Path, passphrase: str) -> tuple[dict, str]:
    """The manifest and the serialised data of a backup, after checking every chunk."""
    with open(path, "rb") as source:
        plain = b"".join(_decrypted_chunks(source, passphrase))
    try:
        manifest_line, _newline, data = gzip.decompress(plain).decode("utf-8").partition("\n")
        manifest = json.loads(manifest_line)
    except (OSError, ValueError) as error:
        raise BackupError(f"The backup's content cannot be read: {error}") from error
    if manifest.get("format") != 1:
        raise BackupError("This backup was written by another version of Huoli.")
    return manifest, data


KEY_FILES = {
    "secret_key": ("HUOLI_SECRET_KEY", keys.SECRET_KEY_FILE.name),
    "return_code_pepper": ("HUOLI_RETURN_CODE_PEPPER", keys.RETURN_CODE_PEPPER_FILE.name),
    "data_keys": ("HUOLI_DATA_KEYS", keys.DATA_KEYS_FILE.name),
}


def _key_text(name: str, value) -> str:
    return "\n".join(value) + "\n" if name == "data_keys" else value + "\n"


def keys_check(backup_keys: dict) -> None:
    """Keys given in the environment are not files we can write: they must already equal the
    backup's, or the restore stops before touching the database."""
    for name, (env_name, _file) in KEY_FILES.items():
        value = os.environ.get(env_name, "").strip()
        if value:
            wanted = ",".join(backup_keys[name]) if name == "data_keys" else backup_keys[name]
            if value != wanted:
                raise BackupError(
                    f"{env_name} is set in the environment and differs from the backup's. "
                    f"Set it to the backup's value (`manage.py restore --print-keys`) first."
                )


def keys_install(backup_keys: dict, keys_dir: Path) -> list[str]:
    """Put the backup's keys where this installation reads them (the files it replaces are
    kept beside them); returns the files written."""
    keys_check(backup_keys)
    changed = []
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    for name, (env_name, file_name) in KEY_FILES.items():
        if os.environ.get(env_name, "").strip():
            continue
        target = Path(keys_dir) / file_name
        text = _key_text(name, backup_keys[name])
        if target.exists() and target.read_text() == text:
            continue
        if target.exists():
            target.replace(target.with_name(f"{file_name}.before-restore-{stamp}"))
        keys._write_private(target, text)
        changed.append(str(target))
    return changed


@dataclass(frozen=True)
class RestoreSummary:
    counts: dict[str, int]
    keys_changed: list[str]
    audit_ok: bool


def restore(
    path: Path, passphrase: str, *, keys_dir: Path, using: str = DEFAULT_DB_ALIAS
) -> RestoreSummary:
    """Replace the whole database and the keys with a backup's.

    Everything is checked before anything is touched: the passphrase, every chunk, the
    schema (the same migrations must be applied here) and keys given in the environment.
    The database is then emptied and loaded in one transaction, so a failed load leaves it
    as it was."""
    from huoli.core.audit import audit_record, audit_verify

    manifest, data = backup_read(path, passphrase)
    here = _migration_state(using)
    if manifest["migrations"] != here:
        differing = sorted(
            app
            for app in set(here) | set(manifest["migrations"])
            if here.get(app) != manifest["migrations"].get(app)
        )
        raise BackupError(
            "The backup was made with another database schema (apps: "
            + ", ".join(differing)
            + "). Restore it with the Huoli version that made it, then upgrade."
        )
    backup_keys = manifest["keys"]
    keys_check(backup_keys)
    counts: dict[str, int] = {}
    connection = connections[using]
    with (
        override_settings(
            SECRET_KEY=backup_keys["secret_key"],
            HUOLI_DATA_KEYS=backup_keys["data_keys"],
            HUOLI_RETURN_CODE_PEPPER=backup_keys["return_code_pepper"],
        ),
        transaction.atomic(using=using),
    ):
        call_command(
            "flush", interactive=False, inhibit_post_migrate=True, database=using, verbosity=0
        )
        # Content types and permissions are not in the backup: make this schema's first.
        from django.contrib.auth.management import create_permissions
        from django.contrib.contenttypes.management import create_contenttypes

        for app_config in apps.get_app_configs():
            create_contenttypes(app_config, verbosity=0, using=using)
            create_permissions(app_config, verbosity=0, using=using)
        loaded_models = set()
        with connection.constraint_checks_disabled():
            deferred = []
            for item in serializers.deserialize(
                "json", data, using=using, handle_forward_references=True
            ):
                item.save(using=using)
                if item.deferred_fields:
                    deferred.append(item)
                label = item.object._meta.label
                counts[label] = counts.get(label, 0) + 1
                loaded_models.add(type(item.object))
            for item in deferred:
                item.save_deferred_fields(using=using)
        connection.check_constraints(table_names=[m._meta.db_table for m in loaded_models])
        statements = connection.ops.sequence_reset_sql(no_style(), list(loaded_models))
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
        verification = audit_verify()
        audit_record(
            actor=None,
            action="backup.restored",
            object_type="backup",
            data={
                "created_at": manifest["created_at"],
                "from": manifest["vendor"],
                "audit_chain_ok": verification.ok,
            },
        )
    # The data is now encrypted under the backup's keys: this installation must read them.
    keys_changed = keys_install(backup_keys, keys_dir)
    return RestoreSummary(counts=counts, keys_changed=keys_changed, audit_ok=verification.ok)

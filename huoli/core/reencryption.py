"""Re-encrypt every encrypted column under the newest data key (key rotation, promise 3,
docs/design.md), bound to its row: values written before rows were bound (``enc1``) become
``enc2``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.apps import apps
from django.db import connection, transaction

from huoli.core.encryption import keyring
from huoli.core.fields import encrypted_fields

BATCH_SIZE = 500


@dataclass
class ColumnReport:
    label: str
    rows: int = 0
    reencrypted: int = 0
    changed_meanwhile: int = 0


def reencrypt_all(*, progress: Callable[[ColumnReport], None] | None = None) -> list[ColumnReport]:
    """Rewrite values that are not under the primary key or not bound to their row; safe to
    run again or interrupt.

    Reads raw column values so rows already under the newest key are skipped, then writes
    each batch in its own short transaction. Each write is a compare-and-set on the raw
    ciphertext that was read (``WHERE pk = … AND column = <old value>``): a value edited in
    between is left as the edit wrote it (threat: key rotation silently undoing a
    counsellor's or a visitor's change).
    """
    ring = keyring()
    reports = []
    for model in apps.get_models():
        for field in encrypted_fields(model):
            report = ColumnReport(label=field.encryption_context())
            table = connection.ops.quote_name(model._meta.db_table)
            pk_column = connection.ops.quote_name(model._meta.pk.column)
            column = connection.ops.quote_name(field.column)
            last_pk = None
            while True:
                where = f"WHERE {pk_column} > %s " if last_pk is not None else ""
                sql = (
                    f"SELECT {pk_column}, {column} FROM {table} {where}"  # noqa: S608
                    f"ORDER BY {pk_column} LIMIT {BATCH_SIZE}"
                )
                with connection.cursor() as cursor:
                    cursor.execute(sql, [last_pk] if last_pk is not None else [])
                    rows = cursor.fetchall()
                if not rows:
                    break
                last_pk = rows[-1][0]
                report.rows += len(rows)
                stale = [
                    (pk, value)
                    for pk, value in rows
                    if value is not None and not ring.is_current(value)
                ]
                update = (
                    f"UPDATE {table} SET {column} = %s "  # noqa: S608
                    f"WHERE {pk_column} = %s AND {column} = %s"
                )
                with transaction.atomic(), connection.cursor() as cursor:
                    for pk, value in stale:
                        row = model._meta.pk.to_python(pk)
                        plain = ring.decrypt(value, field.encryption_context(), row=row)
                        fresh = ring.encrypt(plain, field.encryption_context(), row=row)
                        # Compare and set: an edit saved since the read is newer (and already
                        # under the primary key); writing the old text over it would undo it.
                        cursor.execute(update, [fresh, pk, value])
                        if cursor.rowcount == 1:
                            report.reencrypted += 1
                        else:
                            report.changed_meanwhile += 1
                if progress:
                    progress(report)
            reports.append(report)
    return reports

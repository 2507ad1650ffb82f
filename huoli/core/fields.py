"""Model fields whose content is encrypted at rest (see core.encryption).

Each value is bound to its row: the associated data is ``<app>.<Model>.<field>#<primary
key>`` (decision 0020). Django hands a field neither the row when it reads a column nor the
primary key before an INSERT, so:

- reading: ``from_db_value`` keeps a row-bound value sealed, and a ``post_init`` receiver
  opens it with the instance's primary key as soon as the instance is built (a value moved
  from another row fails there, with a clear ``DecryptionError``);
- writing: ``pre_save`` encrypts for the row when the instance has a primary key; a new row
  without one is written bound to its column (``enc1``) and rewritten bound to the row by a
  ``post_save`` receiver in the same transaction. ``bulk_create`` sends no signal: call
  ``bind_rows`` after it. ``QuerySet.update()`` and raw saves (loading a backup) have no row
  either and write ``enc1``; raw saves are bound by the same receiver, ``reencrypt`` binds
  whatever is left.
"""

from __future__ import annotations

from weakref import WeakKeyDictionary

from django.db import connections, models, router
from django.db.models import Case, Value, When, signals

from huoli.core.encryption import COLUMN_PREFIX, DecryptionError, keyring

UNBOUND = "_huoli_unbound_fields"


class _Sealed:
    """A row-bound ciphertext read without its row (``values()``, ``values_list()``)."""

    __slots__ = ("stored",)

    def __init__(self, stored: str):
        self.stored = stored

    def __repr__(self) -> str:
        return "<encrypted, bound to its row>"

    def __str__(self) -> str:
        raise DecryptionError("a row-bound value can be read only through its model instance")


class _Ciphertext:
    """A value already encrypted by ``pre_save`` for its row: written as it is."""

    __slots__ = ("stored",)

    def __init__(self, stored: str):
        self.stored = stored


class EncryptedTextField(models.TextField):
    """Free text stored encrypted; it cannot be searched or filtered in the database.

    The associated data is ``<app_label>.<Model>.<field>#<pk>``: renaming the model or field
    needs a data migration that re-encrypts the column, or the model keeps its old name for
    its texts in an ``encryption_label`` class attribute (a model moved to another app).
    """

    description = "Text encrypted at rest"

    def encryption_context(self) -> str:
        label = getattr(self.model, "encryption_label", None) or self.model._meta.label
        return f"{label}.{self.name}"

    def contribute_to_class(self, cls, name, *args, **kwargs):
        super().contribute_to_class(cls, name, *args, **kwargs)
        if not cls._meta.abstract:
            signals.post_init.connect(_open_row, sender=cls, dispatch_uid="huoli-encrypted")
            signals.post_save.connect(_bind_new_row, sender=cls, dispatch_uid="huoli-encrypted")

    def _plain(self, value):
        return super().get_prep_value(value)

    def get_prep_value(self, value):
        if isinstance(value, _Ciphertext):
            return value.stored
        # Lookups only (an encrypted column cannot be filtered: the result never matches).
        value = self._plain(value)
        if value is None:
            return None
        return keyring().encrypt(value, self.encryption_context())

    def pre_save(self, model_instance, add):
        value = self._plain(super().pre_save(model_instance, add))
        if value is None:
            return None
        if model_instance.pk is None:
            # No primary key before the INSERT: bound to the column until post_save.
            model_instance.__dict__.setdefault(UNBOUND, set()).add(self.attname)
            return _Ciphertext(keyring().encrypt(value, self.encryption_context()))
        return _Ciphertext(
            keyring().encrypt(value, self.encryption_context(), row=model_instance.pk)
        )

    def from_db_value(self, value, expression, connection):
        if value is None:
            return None
        if value.startswith(COLUMN_PREFIX + ":"):
            return keyring().decrypt(value, self.encryption_context())
        return _Sealed(value)

    def get_db_prep_save(self, value, connection):
        if isinstance(value, _Ciphertext):
            return value.stored
        if hasattr(value, "as_sql"):  # an expression (bind_rows): its values are prepared
            return value
        # QuerySet.update() and raw saves: no row here (see the module's docstring).
        return self.get_prep_value(value)


def encrypted_fields(model) -> tuple[EncryptedTextField, ...]:
    """The model's encrypted fields (looked up once per model: every instance built asks)."""
    fields = _encrypted_fields.get(model)
    if fields is None:
        fields = _encrypted_fields[model] = tuple(
            f for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)
        )
    return fields


# Weak: migrations build historical models that must not be kept alive by this cache.
_encrypted_fields: WeakKeyDictionary[type, tuple[EncryptedTextField, ...]] = WeakKeyDictionary()


def _open_row(sender, instance, **kwargs):
    values = instance.__dict__
    for field in encrypted_fields(sender):
        value = values.get(field.attname)
        if isinstance(value, _Sealed):
            values[field.attname] = keyring().decrypt(
                value.stored, field.encryption_context(), row=instance.pk
            )


def _bind_new_row(sender, instance, raw=False, using=None, **kwargs):
    unbound = instance.__dict__.pop(UNBOUND, set())
    if raw:
        unbound = {field.attname for field in encrypted_fields(sender)}
    if unbound:
        _bind(sender, instance, unbound, using)


def _bind(model, instance, attnames, using=None) -> None:
    values = {}
    for field in encrypted_fields(model):
        value = instance.__dict__.get(field.attname)
        if field.attname in attnames and isinstance(value, str):
            stored = keyring().encrypt(value, field.encryption_context(), row=instance.pk)
            values[field.attname] = _Ciphertext(stored)
    if values:
        model._base_manager.using(using or instance._state.db).filter(pk=instance.pk).update(
            **values
        )


def reserve_primary_keys(model, count: int) -> list[int] | None:
    """``count`` new primary keys for rows about to be bulk-created, so their encrypted
    values are bound to their rows as they are inserted, without ``bind_rows``'s second
    write (decision 0043). Call inside the transaction that inserts them. PostgreSQL takes
    them from the column's sequence; SQLite (whose ``AUTOINCREMENT`` never reuses a key)
    from above the highest key given so far, which no other writer can take meanwhile
    because a Huoli transaction holds SQLite's write lock from its start (``IMMEDIATE``).
    None on another database: insert without keys and call ``bind_rows``."""
    if count <= 0:
        return []
    connection = connections[router.db_for_write(model)]
    table, column = model._meta.db_table, model._meta.pk.column
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [connection.ops.quote_name(table), column, count],
            )
            return [row[0] for row in cursor.fetchall()]
        if connection.vendor == "sqlite" and connection.in_atomic_block:
            quote = connection.ops.quote_name
            # Only our own table and column names are formatted in.
            highest = (
                f"SELECT MAX(top) FROM (SELECT MAX({quote(column)}) AS top FROM {quote(table)} "  # noqa: S608
                "UNION ALL SELECT seq FROM sqlite_sequence WHERE name = %s)"
            )
            cursor.execute(highest, [table])
            top = cursor.fetchone()[0] or 0
            return list(range(top + 1, top + 1 + count))
    return None


def bind_rows(instances) -> None:
    """After ``bulk_create``: rewrite the new rows' values bound to their primary keys, one
    UPDATE per model and column however many rows."""
    pending: dict[tuple[type, str], list] = {}
    for instance in instances:
        for attname in instance.__dict__.pop(UNBOUND, set()):
            if instance.pk is not None:
                pending.setdefault((type(instance), attname), []).append(instance)
    for (model, attname), rows in pending.items():
        field = next(f for f in encrypted_fields(model) if f.attname == attname)
        whens = [
            When(
                pk=row.pk,
                then=Value(
                    _Ciphertext(
                        keyring().encrypt(
                            getattr(row, attname), field.encryption_context(), row=row.pk
                        )
                    ),
                    output_field=field,
                ),
            )
            for row in rows
        ]
        model._base_manager.filter(pk__in=[row.pk for row in rows]).update(
            **{attname: Case(*whens, output_field=field)}
        )

"""Model fields whose content is encrypted at rest (see core.encryption)."""

from __future__ import annotations

from django.db import models

from huoli.core.encryption import keyring


class EncryptedTextField(models.TextField):
    """Free text stored encrypted; it cannot be searched or filtered in the database.

    The associated data is ``<app_label>.<Model>.<field>``: renaming the model or field needs a
    data migration that re-encrypts the column.
    """

    description = "Text encrypted at rest"

    def encryption_context(self) -> str:
        return f"{self.model._meta.label}.{self.name}"

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None:
            return None
        return keyring().encrypt(value, self.encryption_context())

    def from_db_value(self, value, expression, connection):
        if value is None:
            return None
        return keyring().decrypt(value, self.encryption_context())

    def get_db_prep_save(self, value, connection):
        return self.get_prep_value(value)


def encrypted_fields(model) -> list[EncryptedTextField]:
    return [f for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]

"""``heard_from_detail`` is free text ("the imam at ... referred the mother"): encrypt it.

The column first becomes plain text (a ciphertext is longer than 120 characters), then every
value that is not yet encrypted is encrypted under the column's context, row by row, then the
field becomes an ``EncryptedTextField``. Values already encrypted are left alone, so the
migration is safe on a database that has rows and can run again after an interruption. The
reverse decrypts.
"""

from django.db import migrations, models

import huoli.core.fields

CONTEXT = "contacts.ContactRecord.heard_from_detail"
ENCRYPTED_PREFIXES = ("enc1:", "enc2:")


def encrypt_existing(apps, schema_editor):
    from huoli.core.encryption import keyring

    ring = keyring()
    records = apps.get_model("contacts", "ContactRecord")._base_manager.using(
        schema_editor.connection.alias
    )
    for pk, value in records.order_by("pk").values_list("pk", "heard_from_detail").iterator():
        if value is None or value.startswith(ENCRYPTED_PREFIXES):
            continue
        records.filter(pk=pk, heard_from_detail=value).update(
            heard_from_detail=ring.encrypt(value, CONTEXT)
        )


def decrypt_existing(apps, schema_editor):
    from huoli.core.encryption import keyring

    ring = keyring()
    records = apps.get_model("contacts", "ContactRecord")._base_manager.using(
        schema_editor.connection.alias
    )
    for pk, value in records.order_by("pk").values_list("pk", "heard_from_detail").iterator():
        if value is None or not value.startswith(ENCRYPTED_PREFIXES):
            continue
        plain = ring.decrypt(value, CONTEXT, row=pk)
        records.filter(pk=pk, heard_from_detail=value).update(heard_from_detail=plain[:120])


class Migration(migrations.Migration):
    dependencies = [
        ("contacts", "0004_retention"),
    ]

    operations = [
        migrations.AlterField(
            model_name="contactrecord",
            name="heard_from_detail",
            field=models.TextField(blank=True, default="", verbose_name="which one"),
        ),
        migrations.RunPython(encrypt_existing, decrypt_existing, elidable=False),
        migrations.AlterField(
            model_name="contactrecord",
            name="heard_from_detail",
            field=huoli.core.fields.EncryptedTextField(
                blank=True, default="", max_length=120, verbose_name="which one"
            ),
        ),
    ]

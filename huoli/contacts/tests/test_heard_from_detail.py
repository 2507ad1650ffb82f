"""``heard_from_detail`` is free text: encrypted at rest, encrypted by its migration in a
database that already has rows, and deleted with the record's other texts."""

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from huoli.contacts.models import ContactRecord
from huoli.contacts.tests.factories import PhoneCallFactory
from huoli.retention.services import purge

BEFORE = [("contacts", "0004_retention")]
SECRET = "imam Yusuf at Itäkeskus mosque referred the mother"


def raw_detail(pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT heard_from_detail FROM contacts_contactrecord WHERE id = %s", [pk])
        return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True)
def test_the_detail_is_stored_encrypted_and_deleted_with_the_notes():
    record = PhoneCallFactory(heard_from_detail=SECRET)
    assert "Yusuf" not in raw_detail(record.pk)
    assert ContactRecord.objects.get(pk=record.pk).heard_from_detail == SECRET
    with time_machine.travel(timezone.now() + timedelta(days=3 * 365), tick=False):
        assert purge()["record_texts"] == 1
    assert ContactRecord.objects.get(pk=record.pk).heard_from_detail == ""


@pytest.mark.django_db(transaction=True)
def test_the_migration_encrypts_the_rows_a_database_already_has():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    with connection.cursor() as cursor:
        for detail in (SECRET, ""):
            cursor.execute(
                "INSERT INTO contacts_contactrecord (channel, status, started_at, language, "
                "minor, person_language, recent_conversion, heard_from_detail, "
                "interpreter_used, interpreter_language, follow_up_wanted, summary, notes, "
                "created_at, updated_at) VALUES ('phone', 'draft', %s, 'fi', '', '', '', %s, "
                "%s, '', %s, '', '', %s, %s)",
                [timezone.now(), detail, False, False, timezone.now(), timezone.now()],
            )
    # summary and notes are encrypted columns: give the raw rows valid (encrypted) values.
    from huoli.core.encryption import keyring

    with connection.cursor() as cursor:
        for column in ("summary", "notes"):
            cursor.execute(
                f"UPDATE contacts_contactrecord SET {column} = %s",  # noqa: S608
                [keyring().encrypt("", f"contacts.ContactRecord.{column}")],
            )
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    rows = list(ContactRecord.objects.order_by("pk"))
    assert [r.heard_from_detail for r in rows] == [SECRET, ""]
    assert all(raw_detail(r.pk).startswith("enc") for r in rows)
    assert "Yusuf" not in raw_detail(rows[0].pk)

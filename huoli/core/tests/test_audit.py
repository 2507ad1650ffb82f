from itertools import pairwise

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from huoli.core.audit import audit_record, audit_verify
from huoli.core.db_guards import LIFT, execute_for_vendor
from huoli.core.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def entries(counsellor):
    return [
        audit_record(actor=counsellor, action="case.read", object_type="case", object_id=i)
        for i in range(1, 6)
    ]


def without_triggers(sql: str, params: list) -> None:
    """What someone with full database rights could do: lift the triggers and write."""
    with connection.cursor() as cursor:
        execute_for_vendor(cursor, connection.vendor, LIFT)
        cursor.execute(sql, params)


def test_chain_of_untouched_entries_verifies(entries):
    result = audit_verify()
    assert result.ok
    assert result.count == 5
    assert result.head_hash == entries[-1].hash
    call_command("verify_audit")


def test_entries_link_to_their_predecessor(entries):
    assert [e.seq for e in entries] == [1, 2, 3, 4, 5]
    for before, after in pairwise(entries):
        assert after.previous_hash == before.hash


def test_the_orm_refuses_to_change_or_delete_an_entry(entries):
    entry = AuditEntry.objects.get(seq=2)
    entry.action = "nothing.happened"
    with pytest.raises(Exception, match="append-only"):
        entry.save()
    with pytest.raises(Exception, match="append-only"):
        entry.delete()


def test_the_database_refuses_update_and_delete(entries):
    for sql in (
        "UPDATE core_auditentry SET action = 'x' WHERE seq = 2",
        "DELETE FROM core_auditentry WHERE seq = 2",
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql)
    assert AuditEntry.objects.count() == 5


def test_verify_detects_an_edited_entry(entries):
    without_triggers("UPDATE core_auditentry SET object_id = '99' WHERE seq = 3", [])
    result = audit_verify()
    assert not result.ok
    assert [p.seq for p in result.problems] == [3]
    with pytest.raises(CommandError, match="tampered"):
        call_command("verify_audit")


def test_verify_detects_a_deleted_entry(entries):
    without_triggers("DELETE FROM core_auditentry WHERE seq = 2", [])
    result = audit_verify()
    assert not result.ok
    assert {p.seq for p in result.problems} == {3}
    with pytest.raises(CommandError, match="tampered"):
        call_command("verify_audit")


def test_verify_detects_an_edited_entry_whose_hash_was_recomputed_alone(entries):
    """Rewriting one row and its own hash still breaks the link to the next row."""
    from huoli.core.audit import entry_digest, entry_fields

    forged = AuditEntry.objects.get(seq=2)
    forged.action = "case.nothing"
    new_hash = entry_digest(previous_hash=forged.previous_hash, fields=entry_fields(forged))
    without_triggers(
        "UPDATE core_auditentry SET action = %s, hash = %s WHERE seq = 2",
        ["case.nothing", new_hash],
    )
    result = audit_verify()
    assert [p.seq for p in result.problems] == [3]


def test_a_rolled_back_action_leaves_no_entry(counsellor):
    with pytest.raises(RuntimeError), transaction.atomic():
        audit_record(actor=counsellor, action="case.read", object_type="case", object_id=1)
        raise RuntimeError("the action failed")
    assert AuditEntry.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_flush_empties_the_log_and_restores_the_guard(counsellor):
    audit_record(actor=counsellor, action="case.read")
    call_command("flush", interactive=False, verbosity=0)
    assert AuditEntry.objects.count() == 0
    audit_record(actor=None, action="case.read")
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM core_auditentry")
    assert AuditEntry.objects.count() == 1

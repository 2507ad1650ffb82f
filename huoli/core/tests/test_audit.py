from datetime import timedelta
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


def test_pruning_keeps_a_verifiable_chain_from_a_checkpoint_recorded_in_the_log(counsellor):
    import time_machine
    from django.utils import timezone

    from huoli.core.audit import audit_prune
    from huoli.core.models import AuditCheckpoint

    start = timezone.now()
    with time_machine.travel(start - timedelta(days=2000), tick=False):
        old = [audit_record(actor=counsellor, action="case.read") for _ in range(7)]
    recent = audit_record(actor=counsellor, action="case.read")
    assert audit_prune(before=start - timedelta(days=1825), batch=3) == 7
    checkpoint = AuditCheckpoint.objects.get()
    assert (checkpoint.through_seq, checkpoint.through_hash) == (7, old[-1].hash)
    pruned = AuditEntry.objects.get(action="audit.pruned")
    assert pruned.data == {"through_seq": 7, "through_hash": old[-1].hash}
    assert list(AuditEntry.objects.order_by("seq").values_list("seq", flat=True)) == [8, 9]
    result = audit_verify()
    assert result.ok and result.count == 2 and recent.seq == 8
    assert audit_prune(before=start - timedelta(days=1825)) == 0  # nothing more is due
    # The guard still refuses deleting anything after the checkpoint, and the checkpoint.
    for sql in ("DELETE FROM core_auditentry WHERE seq = 8", "DELETE FROM core_auditcheckpoint"):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql)


def test_a_checkpoint_written_by_hand_to_hide_entries_is_reported(entries):
    from django.utils import timezone

    from huoli.core.models import AuditCheckpoint

    # Someone with database rights claims entries 1-3 were purged and deletes them.
    AuditCheckpoint.objects.create(
        through_seq=3, through_hash=entries[2].hash, created_at=timezone.now()
    )
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditentry WHERE seq <= 3")
    result = audit_verify()
    assert [p.seq for p in result.problems] == [3]
    assert "not recorded in the log" in result.problems[0].message


def test_an_interrupted_prune_still_verifies_and_the_next_run_finishes(counsellor):
    """The checkpoint is written first; entries below it that are not yet deleted are
    skipped by ``verify_audit`` and deleted by the next run."""
    from django.utils import timezone

    from huoli.core.audit import audit_prune
    from huoli.core.models import AuditCheckpoint

    for _ in range(4):
        audit_record(actor=counsellor, action="case.read")
    last = AuditEntry.objects.get(seq=4)
    with transaction.atomic():  # what audit_prune does before it deletes anything
        AuditCheckpoint.objects.create(
            through_seq=4, through_hash=last.hash, created_at=timezone.now()
        )
        audit_record(
            actor=None,
            action="audit.pruned",
            data={"through_seq": 4, "through_hash": last.hash},
        )
    AuditEntry.objects.filter(seq__lte=2).delete()  # then it was stopped
    assert audit_verify().ok
    assert audit_prune(before=timezone.now() - timedelta(days=1)) == 2
    assert audit_verify().ok and AuditEntry.objects.count() == 1

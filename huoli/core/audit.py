"""Append-only, hash-chained audit log (promise 4, docs/design.md).

Threat answered: a staff member or an intruder with database access who edits or deletes the
record of who read a conversation. Each entry's hash covers its content and the previous
entry's hash, so changing or removing an entry breaks the chain, which ``manage.py
verify_audit`` reports. Database triggers also refuse UPDATE and DELETE on the table, so
ordinary code cannot rewrite history by accident. Deleting the newest entries is only
detectable against a head hash kept outside the database: ``verify_audit`` prints it.

Entries older than the retention period are purged through a checkpoint (``audit_prune``):
the last purged entry's number and hash are kept, recorded in the log itself, and the chain
is verified from there.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from huoli.core.models import AuditCheckpoint, AuditEntry

GENESIS_HASH = "0" * 64
# Any constant: serialises appends on PostgreSQL so two transactions never fork the chain.
_POSTGRES_LOCK_ID = 0x4855_4F4C_4941


def entry_digest(*, previous_hash: str, fields: dict[str, Any]) -> str:
    canonical = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(f"{previous_hash}\n{canonical}".encode()).hexdigest()


def entry_fields(entry: AuditEntry) -> dict[str, Any]:
    return {
        "seq": entry.seq,
        "created_at": entry.created_at.isoformat(),
        "actor_id": entry.actor_id,
        "actor_username": entry.actor_username,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "data": entry.data,
    }


def audit_record(
    *,
    actor,
    action: str,
    object_type: str = "",
    object_id: str | int = "",
    data: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry. Runs inside the caller's transaction, so a rolled-back action
    leaves no audit entry and a committed one always has its entry."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_POSTGRES_LOCK_ID])
        last = AuditEntry.objects.order_by("-seq").only("seq", "hash").first()
        entry = AuditEntry(
            seq=(last.seq + 1) if last else 1,
            created_at=timezone.now(),
            actor_id=actor.pk if actor is not None else None,
            actor_username=actor.get_username() if actor is not None else "",
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            data=data or {},
            previous_hash=last.hash if last else GENESIS_HASH,
        )
        # Round-trip the JSON so the digest covers exactly what the database will return.
        entry.data = json.loads(json.dumps(entry.data))
        entry.hash = entry_digest(previous_hash=entry.previous_hash, fields=entry_fields(entry))
        entry.save(force_insert=True)
        return entry


@dataclass(frozen=True)
class AuditProblem:
    seq: int
    message: str


@dataclass(frozen=True)
class AuditVerification:
    count: int
    head_hash: str
    problems: list[AuditProblem]

    @property
    def ok(self) -> bool:
        return not self.problems


def audit_checkpoint() -> AuditCheckpoint | None:
    return AuditCheckpoint.objects.order_by("-through_seq").first()


def audit_prune(*, before, batch: int = 500) -> int:
    """Delete the entries written before ``before``; returns how many.

    First a checkpoint (the newest of those entries' number and hash) is written, with an
    ``audit.pruned`` entry saying the same, in one transaction; then entries at or below it
    are deleted in batches, each its own transaction. An interrupted run leaves the
    checkpoint, and the next run finishes the deleting."""
    with transaction.atomic():
        last = AuditEntry.objects.filter(created_at__lt=before).order_by("-seq").first()
        current = audit_checkpoint()
        if last is not None and (current is None or last.seq > current.through_seq):
            AuditCheckpoint.objects.create(
                through_seq=last.seq, through_hash=last.hash, created_at=timezone.now()
            )
            audit_record(
                actor=None,
                action="audit.pruned",
                object_type="audit",
                data={"through_seq": last.seq, "through_hash": last.hash},
            )
    checkpoint = audit_checkpoint()
    if checkpoint is None:
        return 0
    deleted = 0
    while True:
        with transaction.atomic():
            keys = list(
                AuditEntry.objects.filter(seq__lte=checkpoint.through_seq)
                .order_by("seq")
                .values_list("pk", flat=True)[:batch]
            )
            if not keys:
                return deleted
            AuditEntry.objects.filter(pk__in=keys).delete()
            deleted += len(keys)


def audit_verify() -> AuditVerification:
    problems: list[AuditProblem] = []
    previous_hash = GENESIS_HASH
    expected_seq = 1
    count = 0
    entries = AuditEntry.objects.order_by("seq")
    checkpoint = audit_checkpoint()
    if checkpoint is not None:
        previous_hash = checkpoint.through_hash
        expected_seq = checkpoint.through_seq + 1
        # Entries at or below it are being purged (an interrupted purge leaves some).
        entries = entries.filter(seq__gt=checkpoint.through_seq)
        attested = AuditEntry.objects.filter(
            action="audit.pruned",
            seq__gt=checkpoint.through_seq,
            data__through_seq=checkpoint.through_seq,
            data__through_hash=checkpoint.through_hash,
        ).exists()
        if not attested:
            problems.append(
                AuditProblem(
                    checkpoint.through_seq,
                    "the purge checkpoint here is not recorded in the log (written by hand)",
                )
            )
    for entry in entries.iterator(chunk_size=2000):
        count += 1
        if entry.seq != expected_seq:
            problems.append(
                AuditProblem(
                    entry.seq,
                    f"entries {expected_seq} to {entry.seq - 1} are missing (deleted)",
                )
            )
        if entry.previous_hash != previous_hash:
            problems.append(
                AuditProblem(entry.seq, "does not link to the entry before it (deleted or edited)")
            )
        recomputed = entry_digest(previous_hash=entry.previous_hash, fields=entry_fields(entry))
        if recomputed != entry.hash:
            problems.append(AuditProblem(entry.seq, "its content was changed after it was written"))
        previous_hash = entry.hash
        expected_seq = entry.seq + 1
    return AuditVerification(count=count, head_hash=previous_hash, problems=problems)

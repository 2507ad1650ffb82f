"""Append-only, hash-chained audit log (promise 4).

Threat answered: a staff member or an intruder with database access who edits or deletes the
record of who read a conversation. Each entry's hash covers its content and the previous
entry's hash, so changing or removing an entry breaks the chain, which ``manage.py
verify_audit`` reports. Database triggers also refuse UPDATE and DELETE on the table, so
ordinary code cannot rewrite history by accident. Deleting the newest entries is only
detectable against a head hash kept outside the database: ``verify_audit`` prints it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from huoli.core.models import AuditEntry

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


def audit_verify() -> AuditVerification:
    problems: list[AuditProblem] = []
    previous_hash = GENESIS_HASH
    expected_seq = 1
    count = 0
    for entry in AuditEntry.objects.order_by("seq").iterator(chunk_size=2000):
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

"""Database triggers that make the audit log append-only (see core.audit).

Used by migration 0002 and by the ``flush`` command, which wipes the whole database and so
lifts the guard for the moment it runs.
"""

from __future__ import annotations

SQLITE_CREATE = [
    """CREATE TRIGGER core_auditentry_no_update BEFORE UPDATE ON core_auditentry
       BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END""",
    """CREATE TRIGGER core_auditentry_no_delete BEFORE DELETE ON core_auditentry
       BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END""",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS core_auditentry_no_update",
    "DROP TRIGGER IF EXISTS core_auditentry_no_delete",
]
POSTGRES_CREATE = [
    """CREATE OR REPLACE FUNCTION core_auditentry_refuse() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'the audit log is append-only'; END; $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER core_auditentry_append_only BEFORE UPDATE OR DELETE ON core_auditentry
       FOR EACH ROW EXECUTE FUNCTION core_auditentry_refuse()""",
    """CREATE TRIGGER core_auditentry_no_truncate BEFORE TRUNCATE ON core_auditentry
       FOR EACH STATEMENT EXECUTE FUNCTION core_auditentry_refuse()""",
]
POSTGRES_DROP = [
    "DROP TRIGGER IF EXISTS core_auditentry_no_truncate ON core_auditentry",
    "DROP TRIGGER IF EXISTS core_auditentry_append_only ON core_auditentry",
    "DROP FUNCTION IF EXISTS core_auditentry_refuse()",
]
# Lifting the guard for a wipe: on PostgreSQL the triggers stay but are switched off.
LIFT = {
    "sqlite": SQLITE_DROP,
    "postgresql": ["ALTER TABLE core_auditentry DISABLE TRIGGER USER"],
}
RESTORE = {
    "sqlite": SQLITE_CREATE,
    "postgresql": ["ALTER TABLE core_auditentry ENABLE TRIGGER USER"],
}
CREATE = {"sqlite": SQLITE_CREATE, "postgresql": POSTGRES_CREATE}
DROP = {"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP}


def execute_for_vendor(cursor, vendor: str, statements: dict[str, list[str]]) -> None:
    for statement in statements.get(vendor, []):
        cursor.execute(statement)

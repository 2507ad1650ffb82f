"""Database triggers that make the audit log append-only (see core.audit).

The first version (migration 0002) refused every UPDATE and DELETE. The current one
(migration 0003) lets the retention purge delete entries at or below the newest checkpoint
(``core_auditcheckpoint``, itself append-only) and nothing else. The ``flush`` command, which
wipes the whole database, lifts the guard for the moment it runs.
"""

from __future__ import annotations

SQLITE_CREATE_V1 = [
    """CREATE TRIGGER core_auditentry_no_update BEFORE UPDATE ON core_auditentry
       BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END""",
    """CREATE TRIGGER core_auditentry_no_delete BEFORE DELETE ON core_auditentry
       BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END""",
]
SQLITE_DROP_V1 = [
    "DROP TRIGGER IF EXISTS core_auditentry_no_update",
    "DROP TRIGGER IF EXISTS core_auditentry_no_delete",
]
POSTGRES_CREATE_V1 = [
    """CREATE OR REPLACE FUNCTION core_auditentry_refuse() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'the audit log is append-only'; END; $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER core_auditentry_append_only BEFORE UPDATE OR DELETE ON core_auditentry
       FOR EACH ROW EXECUTE FUNCTION core_auditentry_refuse()""",
    """CREATE TRIGGER core_auditentry_no_truncate BEFORE TRUNCATE ON core_auditentry
       FOR EACH STATEMENT EXECUTE FUNCTION core_auditentry_refuse()""",
]
POSTGRES_DROP_V1 = [
    "DROP TRIGGER IF EXISTS core_auditentry_no_truncate ON core_auditentry",
    "DROP TRIGGER IF EXISTS core_auditentry_append_only ON core_auditentry",
    "DROP FUNCTION IF EXISTS core_auditentry_refuse()",
]

# Version 2: deleting is allowed only at or below the newest checkpoint.
_BELOW_CHECKPOINT = "(SELECT COALESCE(MAX(through_seq), 0) FROM core_auditcheckpoint)"
SQLITE_CREATE = [
    SQLITE_CREATE_V1[0],
    f"""CREATE TRIGGER core_auditentry_no_delete BEFORE DELETE ON core_auditentry
       WHEN OLD.seq > {_BELOW_CHECKPOINT}
       BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END""",
    """CREATE TRIGGER core_auditcheckpoint_no_update BEFORE UPDATE ON core_auditcheckpoint
       BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END""",
    """CREATE TRIGGER core_auditcheckpoint_no_delete BEFORE DELETE ON core_auditcheckpoint
       BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END""",
]
SQLITE_DROP = [
    *SQLITE_DROP_V1,
    "DROP TRIGGER IF EXISTS core_auditcheckpoint_no_update",
    "DROP TRIGGER IF EXISTS core_auditcheckpoint_no_delete",
]
POSTGRES_CREATE = [
    f"""CREATE OR REPLACE FUNCTION core_auditentry_refuse() RETURNS trigger AS $$
       BEGIN
         IF TG_OP = 'DELETE' AND OLD.seq <= {_BELOW_CHECKPOINT} THEN RETURN OLD; END IF;
         RAISE EXCEPTION 'the audit log is append-only';
       END; $$ LANGUAGE plpgsql""",
    POSTGRES_CREATE_V1[1],
    POSTGRES_CREATE_V1[2],
    """CREATE OR REPLACE FUNCTION core_auditcheckpoint_refuse() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'the audit log is append-only'; END; $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER core_auditcheckpoint_append_only
       BEFORE UPDATE OR DELETE ON core_auditcheckpoint
       FOR EACH ROW EXECUTE FUNCTION core_auditcheckpoint_refuse()""",
    """CREATE TRIGGER core_auditcheckpoint_no_truncate BEFORE TRUNCATE ON core_auditcheckpoint
       FOR EACH STATEMENT EXECUTE FUNCTION core_auditcheckpoint_refuse()""",
]
POSTGRES_DROP = [
    "DROP TRIGGER IF EXISTS core_auditcheckpoint_no_truncate ON core_auditcheckpoint",
    "DROP TRIGGER IF EXISTS core_auditcheckpoint_append_only ON core_auditcheckpoint",
    "DROP FUNCTION IF EXISTS core_auditcheckpoint_refuse()",
    *POSTGRES_DROP_V1,
]
# Lifting the guard for a wipe: on PostgreSQL the triggers stay but are switched off.
LIFT = {
    "sqlite": SQLITE_DROP,
    "postgresql": [
        "ALTER TABLE core_auditentry DISABLE TRIGGER USER",
        "ALTER TABLE core_auditcheckpoint DISABLE TRIGGER USER",
    ],
}
RESTORE = {
    "sqlite": SQLITE_CREATE,
    "postgresql": [
        "ALTER TABLE core_auditentry ENABLE TRIGGER USER",
        "ALTER TABLE core_auditcheckpoint ENABLE TRIGGER USER",
    ],
}
CREATE_V1 = {"sqlite": SQLITE_CREATE_V1, "postgresql": POSTGRES_CREATE_V1}
DROP_V1 = {"sqlite": SQLITE_DROP_V1, "postgresql": POSTGRES_DROP_V1}
CREATE = {"sqlite": SQLITE_CREATE, "postgresql": POSTGRES_CREATE}
DROP = {"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP}


def execute_for_vendor(cursor, vendor: str, statements: dict[str, list[str]]) -> None:
    for statement in statements.get(vendor, []):
        cursor.execute(statement)

"""What the test database holds: every row of every model as text, and the raw bytes of the
SQLite file (and its write-ahead log), for tests that show what is and is not stored."""

from __future__ import annotations

import subprocess
import sys

from django.apps import apps
from django.db import connection

READ_FILE = (
    "import pathlib, sys; p = pathlib.Path(sys.argv[1]); "
    "sys.stdout.buffer.write(p.read_bytes() if p.exists() else b'')"
)


def sqlite_file_bytes() -> bytes:
    """Empty on other databases."""
    if connection.vendor != "sqlite":
        return b""
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_checkpoint(FULL)")
    name = connection.settings_dict["NAME"]
    data = b""
    for suffix in ("", "-wal"):
        # Read in another process: closing a descriptor of the database file in this
        # process would drop SQLite's POSIX locks and let other processes corrupt it.
        data += subprocess.run(
            [sys.executable, "-c", READ_FILE, f"{name}{suffix}"],
            capture_output=True,
            check=True,
        ).stdout
    return data


def everything_stored() -> str:
    """Every row of every model's table, as text (on any database)."""
    rows = []
    with connection.cursor() as cursor:
        for model in apps.get_models():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(model._meta.db_table)}")  # noqa: S608
            rows.extend(repr(row) for row in cursor.fetchall())
    return "\n".join(rows)

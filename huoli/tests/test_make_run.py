"""What `make run` runs works from the command line: migrate, `manage.py demo_data
--with-contacts`, `manage.py purge` and the server entry point with the daily purge
(HUOLI_PURGE_DAILY=1), on a fresh database in the development profile."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from huoli.tests.test_production_profile import installed, outside_environment

ROOT = Path(__file__).resolve().parents[2]
PURGE_KINDS = (
    "conversations",
    "return_codes",
    "record_texts",
    "case_texts",
    "escalations",
    "callback_numbers",
    "callback_requests",
    "shifts",
    "feedback",
    "handover_notes",
    "debrief_requests",
    "reviews",
    "caller_hashes",
    "caller_key_replaced",
    "audit_entries",
)


def run(args: list[str], tmp_path: Path, **env_overrides: str) -> subprocess.CompletedProcess:
    env = outside_environment()
    env.update(
        {
            "DATABASE_URL": f"sqlite:///{tmp_path / 'dev.sqlite3'}",
            "HUOLI_VAR_DIR": str(tmp_path / "var"),
            "HUOLI_PROFILE": "development",
            **env_overrides,
        }
    )
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=180
    )


@pytest.fixture
def dev(tmp_path):
    return installed(run, tmp_path)


def test_the_commands_of_make_run_work_from_the_command_line(dev):
    loaded = run(["manage.py", "demo_data", "--with-contacts"], dev)
    assert loaded.returncode == 0, loaded.stderr
    assert "Demo contacts: 150 made-up contact records" in loaded.stdout
    assert "Demo data: 5 accounts created" in loaded.stdout

    purged = run(["manage.py", "purge"], dev)
    assert purged.returncode == 0, purged.stderr
    assert [line.split(":")[0] for line in purged.stdout.splitlines()] == list(PURGE_KINDS)

    threads = "import threading; print(sorted(t.name for t in threading.enumerate()))"
    served = run(["-c", f"import huoli.asgi; {threads}"], dev, HUOLI_PURGE_DAILY="1")
    assert served.returncode == 0, served.stderr
    assert "'huoli-purge'" in served.stdout
    plain = run(["-c", f"import huoli.asgi; {threads}"], dev)
    assert plain.returncode == 0, plain.stderr
    assert "huoli-purge" not in plain.stdout

"""The production profile passes Django's deploy checks and refuses to start when unsafe."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run(args: list[str], tmp_path: Path, **env_overrides: str) -> subprocess.CompletedProcess:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("HUOLI_", "DJANGO_")) and key not in {"DATABASE_URL"}
    }
    env.update(
        {
            "DATABASE_URL": f"sqlite:///{tmp_path / 'prod.sqlite3'}",
            "HUOLI_VAR_DIR": str(tmp_path / "var"),
            "HUOLI_PROFILE": "production",
            "ALLOWED_HOSTS": "huoli.example.org",
            **env_overrides,
        }
    )
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


@pytest.fixture
def prod(tmp_path):
    made = run(["-m", "huoli.keys"], tmp_path)
    assert made.returncode == 0, made.stderr
    migrated = run(["manage.py", "migrate", "-v", "0"], tmp_path)
    assert migrated.returncode == 0, migrated.stderr
    return tmp_path


def test_deploy_check_reports_nothing(prod):
    result = run(["manage.py", "check", "--deploy"], prod)
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_debug_on_is_refused_by_checks_and_by_the_server_entry_point(prod):
    result = run(["manage.py", "check"], prod, HUOLI_DEBUG="1")
    assert result.returncode != 0
    assert "DEBUG is on" in result.stderr
    served = run(["-c", "import huoli.asgi"], prod, HUOLI_DEBUG="1")
    assert served.returncode != 0
    assert "refuses to start in production" in served.stderr


def test_demo_accounts_are_refused(prod):
    loaded = run(["manage.py", "demo_data"], prod, HUOLI_PROFILE="development")
    assert loaded.returncode == 0, loaded.stderr
    result = run(["-c", "import huoli.asgi"], prod)
    assert result.returncode != 0
    assert "Demo accounts are present" in result.stderr
    deleted = run(["manage.py", "demo_data", "--delete"], prod)
    assert deleted.returncode == 0, deleted.stderr
    assert run(["-c", "import huoli.asgi"], prod).returncode == 0


def test_demo_command_refuses_in_production(prod):
    result = run(["manage.py", "demo_data"], prod)
    assert result.returncode != 0
    assert "only loaded in demo mode" in result.stderr

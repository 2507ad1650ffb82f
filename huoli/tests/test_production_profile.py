"""The production profile passes Django's deploy checks and refuses to start when unsafe."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def outside_environment() -> dict[str, str]:
    """This process's environment without anything that configures Huoli, so a command run
    from a test sees only what the test gives it."""
    return {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("HUOLI_", "DJANGO_"))
        and key not in {"DATABASE_URL", "REDIS_URL", "WEB_CONCURRENCY"}
    }


def environment(tmp_path: Path, **env_overrides: str) -> dict[str, str]:
    env = outside_environment()
    env.update(
        {
            "DATABASE_URL": f"sqlite:///{tmp_path / 'prod.sqlite3'}",
            "HUOLI_VAR_DIR": str(tmp_path / "var"),
            "HUOLI_PROFILE": "production",
            "ALLOWED_HOSTS": "huoli.example.org",
            # Production is documented with Redis; none of these commands connects to it.
            "REDIS_URL": os.environ.get("REDIS_URL") or "redis://127.0.0.1:9/0",
            **env_overrides,
        }
    )
    return env


def run(args: list[str], tmp_path: Path, **env_overrides: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=environment(tmp_path, **env_overrides),
        capture_output=True,
        text=True,
        timeout=120,
    )


def uvicorn_refuses(tmp_path: Path, *options: str, **env_overrides: str) -> str:
    """Start the real server as an operator would and return what it wrote to stderr once
    it has stopped by itself. A server that keeps running (it started despite the problem)
    is killed with its workers at the deadline and fails the test."""
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "huoli.asgi:application",
            "--host",
            "127.0.0.1",
            "--port",
            "0",
            "--no-access-log",
            *options,
        ],
        cwd=ROOT,
        env=environment(tmp_path, **env_overrides),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        _, stderr = server.communicate(timeout=90)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        _, stderr = server.communicate()
        pytest.fail(f"the server started and kept running:\n{stderr}")
    assert "Application startup complete" not in stderr
    return stderr


def installed(run, path):
    """``path`` as a fresh installation: key files made and the database migrated, by the
    commands a new user runs (``run`` starts one in the profile under test)."""
    made = run(["-m", "huoli.keys"], path)
    assert made.returncode == 0, made.stderr
    migrated = run(["manage.py", "migrate", "-v", "0"], path)
    assert migrated.returncode == 0, migrated.stderr
    return path


@pytest.fixture
def prod(tmp_path):
    return installed(run, tmp_path)


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


def test_production_without_redis_is_refused_by_checks_and_by_the_server(prod):
    result = run(["manage.py", "check", "--deploy"], prod, REDIS_URL="")
    assert result.returncode != 0
    assert "REDIS_URL is not set" in result.stderr
    served = run(["-c", "import huoli.asgi"], prod, REDIS_URL="")
    assert served.returncode != 0
    assert "REDIS_URL is not set" in served.stderr


def test_uvicorn_with_several_workers_and_no_redis_does_not_serve(prod):
    assert "REDIS_URL is not set" in uvicorn_refuses(prod, "--workers", "2", REDIS_URL="")


def test_a_single_process_install_may_run_without_redis(prod):
    single = {"REDIS_URL": "", "HUOLI_SINGLE_PROCESS": "1"}
    result = run(["manage.py", "check", "--deploy"], prod, **single)
    assert result.returncode == 0, result.stderr
    served = run(["-c", "import huoli.asgi"], prod, **single)
    assert served.returncode == 0, served.stderr


def test_a_single_process_install_refuses_several_workers(prod):
    single = {"REDIS_URL": "", "HUOLI_SINGLE_PROCESS": "1"}
    result = run(["manage.py", "check"], prod, WEB_CONCURRENCY="4", **single)
    assert result.returncode != 0
    assert "several workers" in result.stderr
    assert "several workers" in uvicorn_refuses(prod, "--workers", "2", **single)


@pytest.mark.parametrize(
    ("variable", "message"),
    [("HUOLI_SSL_REDIRECT", "HTTPS redirect is off"), ("HUOLI_HSTS_SECONDS", "HSTS is off")],
)
def test_https_redirect_or_hsts_switched_off_is_refused(prod, variable, message):
    result = run(["manage.py", "check", "--deploy"], prod, **{variable: "0"})
    assert result.returncode != 0
    assert message in result.stderr
    assert message in uvicorn_refuses(prod, **{variable: "0"})


def test_a_malformed_hsts_value_gets_a_clear_answer(prod):
    result = run(["manage.py", "check"], prod, HUOLI_HSTS_SECONDS="a year")
    assert result.returncode != 0
    assert "HUOLI_HSTS_SECONDS must be a whole number of seconds" in result.stderr


def test_production_trusts_the_proxys_https_header(prod):
    code = "from django.conf import settings; print(settings.SECURE_PROXY_SSL_HEADER)"
    result = run(
        ["-c", f"import django; django.setup(); {code}"],
        prod,
        DJANGO_SETTINGS_MODULE="huoli.settings",
    )
    assert result.returncode == 0, result.stderr
    assert "('HTTP_X_FORWARDED_PROTO', 'https')" in result.stdout

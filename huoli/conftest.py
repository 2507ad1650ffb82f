"""Fixtures shared by every app's tests. Data is built through the real services."""

from __future__ import annotations

from pathlib import Path

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from huoli.accounts.tests.factories import StaffFactory, device_confirmed, log_in_with_device
from huoli.conversations.tests.factories import open_line_with_counsellor
from huoli.core.roles import Role


def pytest_sessionstart(session):
    """Remove a test SQLite database and its WAL files left by an earlier run: Django deletes
    only the main file, and a stale WAL beside a new file reads as a corrupt database."""
    from django.conf import settings

    test_name = settings.DATABASES["default"].get("TEST", {}).get("NAME")
    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3") and test_name:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{test_name}{suffix}").unlink(missing_ok=True)


def current_token(device: TOTPDevice) -> str:
    """The code an authenticator app would show for ``device`` right now."""
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


@pytest.fixture
def staff_factory(db):
    return StaffFactory


@pytest.fixture
def counsellor(db):
    return StaffFactory(role=Role.COUNSELLOR, username="aino", first_name="Aino")


@pytest.fixture
def counsellor_on_duty(db):
    """The line open around the clock and a counsellor (speaking fi and en) on duty; returns
    the counsellor. For other languages or a given user, call ``open_line_with_counsellor``
    (``huoli.conversations.tests.factories``)."""
    return open_line_with_counsellor()


@pytest.fixture
def enrolled(db):
    """A staff member with a confirmed TOTP device: ``user, device = enrolled(role)``."""

    def make(role: str = Role.COUNSELLOR, **kwargs):
        user = StaffFactory(role=role, **kwargs)
        return user, device_confirmed(user)

    return make


@pytest.fixture
def demo_mode(settings):
    settings.HUOLI_DEMO = True
    return settings


@pytest.fixture
def no_demo_mode(settings):
    settings.HUOLI_DEMO = False
    return settings


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache (memory or Redis): guessing limits, tickets and
    the phones Kamailio reported registered are keyed by ids a rolled-back test may hand out
    again."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(scope="session", autouse=True)
def _close_stray_database_sessions(django_db_setup, django_db_blocker):
    """Connections opened by server threads in browser tests may outlive them; on PostgreSQL
    they would keep the test database from being dropped at the end."""
    yield
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )


@pytest.fixture
def logged_in(client, enrolled, no_demo_mode):
    """Log the test client in as a new staff member with two-factor done; returns the user."""

    def login(role=Role.COUNSELLOR, **kwargs):
        user, device = enrolled(role, **kwargs)
        log_in_with_device(client, user, device)
        return user

    return login


@pytest.fixture
def team(db):
    """Two counsellors (Aino, Ben), a supervisor (Sara) and an analyst (Ali)."""
    return {
        "aino": StaffFactory(role=Role.COUNSELLOR),
        "ben": StaffFactory(role=Role.COUNSELLOR),
        "sara": StaffFactory(role=Role.SUPERVISOR),
        "ali": StaffFactory(role=Role.ANALYST),
    }

"""Fixtures shared by every app's tests. Data is built through the real services."""

from __future__ import annotations

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from huoli.accounts.roles import Role
from huoli.accounts.tests.factories import StaffFactory


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
def enrolled(db):
    """A staff member with a confirmed TOTP device: ``user, device = enrolled(role)``."""

    def make(role: str = Role.COUNSELLOR, **kwargs):
        user = StaffFactory(role=role, **kwargs)
        device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
        return user, device

    return make


@pytest.fixture
def demo_mode(settings):
    settings.HUOLI_DEMO = True
    return settings


@pytest.fixture
def no_demo_mode(settings):
    settings.HUOLI_DEMO = False
    return settings

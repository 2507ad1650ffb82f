"""``manage.py staff_create``: an account from the command line, with a checked password."""

import io

import pytest
from django.core.management import CommandError, call_command

from huoli.accounts.models import User

pytestmark = pytest.mark.django_db


def test_staff_create_makes_an_account_with_a_checked_password(monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("a long enough passphrase\n"))
    call_command("staff_create", "helena", "--role", "administrator", "--password-stdin")
    user = User.objects.get(username="helena")
    assert user.role == "administrator"
    assert user.check_password("a long enough passphrase")
    assert not user.is_demo


def test_staff_create_refuses_a_weak_password(monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    with pytest.raises(CommandError, match="too short"):
        call_command("staff_create", "ville", "--role", "analyst", "--password-stdin")
    assert not User.objects.filter(username="ville").exists()

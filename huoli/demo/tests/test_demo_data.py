import pytest
from django.core.management import CommandError, call_command

from huoli.accounts.models import CounsellorProfile, User

pytestmark = pytest.mark.django_db


def test_demo_data_is_idempotent_and_complete(demo_mode):
    call_command("demo_data", verbosity=0)
    call_command("demo_data", verbosity=0)
    users = {u.username: u for u in User.objects.all()}
    assert set(users) == {"counsellor", "counsellor2", "supervisor", "admin", "analyst"}
    assert all(u.is_demo and u.check_password("demo-password") for u in users.values())
    assert {u: users[u].role for u in users} == {
        "counsellor": "counsellor",
        "counsellor2": "counsellor",
        "supervisor": "supervisor",
        "admin": "administrator",
        "analyst": "analyst",
    }
    assert CounsellorProfile.objects.get(user__username="counsellor").languages == ["fi", "en"]
    assert CounsellorProfile.objects.get(user__username="counsellor2").languages == [
        "fi",
        "sv",
        "ar",
    ]


def test_demo_data_refuses_outside_demo_mode(no_demo_mode):
    with pytest.raises(CommandError, match="demo mode"):
        call_command("demo_data", verbosity=0)
    assert not User.objects.exists()


def test_demo_accounts_can_be_deleted(demo_mode):
    call_command("demo_data", verbosity=0)
    call_command("demo_data", "--delete", verbosity=0)
    assert not User.objects.filter(is_demo=True).exists()


def test_demo_contacts_fill_the_statistics_once_and_go_with_the_accounts(demo_mode):
    from datetime import timedelta

    from django.utils import timezone

    from huoli.cases.models import Case
    from huoli.contacts.models import ContactRecord
    from huoli.reports.selectors import report_for

    call_command("demo_data", "--with-contacts", verbosity=0)
    call_command("demo_data", "--with-contacts", verbosity=0)
    assert ContactRecord.objects.count() == 150
    assert Case.objects.count() == 10
    today = timezone.localdate()
    report = report_for(today - timedelta(days=200), today)
    assert report.contacts.text == "150"
    call_command("demo_data", "--delete", verbosity=0)
    assert not ContactRecord.objects.exists() and not Case.objects.exists()

"""Changes made in the Django admin that matter for trust go to the hash-chained audit log,
with who, which object and, for roles, activity, periods, hours and the flood switch, the old
and new values; never a password or a two-factor key."""

from __future__ import annotations

import json
import re
from datetime import date, time
from html.parser import HTMLParser

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from huoli.accounts.models import User
from huoli.accounts.tests.factories import device_confirmed
from huoli.core.audit import audit_verify
from huoli.core.models import AuditEntry
from huoli.core.roles import Role
from huoli.helpline.models import FloodSwitch, OpeningException
from huoli.helpline.tests.factories import OpeningHoursFactory
from huoli.retention.models import RetentionPolicy

pytestmark = pytest.mark.django_db


class _FormFields(HTMLParser):
    """The values a browser would submit from the admin's form (inputs, selects, textareas)."""

    def __init__(self):
        super().__init__()
        self.data: dict[str, list[str]] = {}
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in ("submit", "button", "file"):
            ticked = a.get("type") in ("checkbox", "radio")
            if ticked and "checked" not in a:
                return
            self.data.setdefault(name, []).append(a.get("value", "on" if ticked else ""))
        elif tag == "select" and name:
            self._select = name
            self.data.setdefault(name, [])
        elif tag == "option" and self._select and "selected" in a:
            self.data[self._select].append(a.get("value", ""))
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = [""]

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea][0] += data.lstrip("\n")


def admin_form(client, url: str) -> dict[str, list[str]]:
    response = client.get(url)
    assert response.status_code == 200, url
    parser = _FormFields()
    parser.feed(response.content.decode())
    parser.data.pop("csrfmiddlewaretoken", None)
    return parser.data


def post_form(client, url: str, **changes):
    data = admin_form(client, url)
    for name, value in changes.items():
        if value is None:
            data.pop(name, None)  # an unticked checkbox
        else:
            data[name] = [str(value)]
    response = client.post(url, data)
    assert response.status_code == 302, _errors(response)
    return response


def _errors(response) -> str:
    html = response.content.decode()
    return (
        " ".join(re.findall(r'<ul class="errorlist[^"]*"[^>]*>.*?</ul>', html, re.S)) or html[:2000]
    )


def entries(action: str, **filters) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=action, **filters).order_by("seq"))


def assert_chain_intact():
    verification = audit_verify()
    assert verification.ok, verification.problems


@pytest.fixture
def administrator(logged_in):
    return logged_in(Role.ADMINISTRATOR)


def test_a_role_and_activity_change_is_audited_with_old_and_new_values(
    client, administrator, staff_factory
):
    target = staff_factory(role=Role.COUNSELLOR)
    url = f"/console/admin/accounts/user/{target.pk}/change/"
    post_form(client, url, role=Role.SUPERVISOR, is_active=None)
    target.refresh_from_db()
    assert (target.role, target.is_active) == (Role.SUPERVISOR, False)
    [entry] = entries("admin.changed", object_type="user", object_id=str(target.pk))
    assert entry.actor_id == administrator.pk
    assert entry.actor_username == administrator.username
    assert entry.data["model"] == "accounts.user"
    assert entry.data["label"] == target.username
    assert entry.data["values"]["role"] == ["counsellor", "supervisor"]
    assert entry.data["values"]["is_active"] == [True, False]
    assert {"role", "is_active"} <= set(entry.data["fields"])
    assert_chain_intact()


def test_making_someone_an_administrator_shows_the_admin_rights_that_came_with_it(
    client, administrator, staff_factory
):
    target = staff_factory(role=Role.ANALYST)
    post_form(client, f"/console/admin/accounts/user/{target.pk}/change/", role="administrator")
    [entry] = entries("admin.changed", object_id=str(target.pk))
    assert entry.data["values"]["role"] == ["analyst", "administrator"]
    assert entry.data["values"]["is_superuser"] == [False, True]
    assert_chain_intact()


def test_a_password_set_in_the_admin_is_audited_without_the_password(
    client, administrator, staff_factory
):
    target = staff_factory(role=Role.COUNSELLOR)
    old_hash = User.objects.get(pk=target.pk).password
    url = f"/console/admin/accounts/user/{target.pk}/password/"
    new_password = "a brand new secret 9"
    response = client.post(
        url, {"password1": new_password, "password2": new_password, "usable_password": "true"}
    )
    assert response.status_code == 302, _errors(response)
    new_hash = User.objects.get(pk=target.pk).password
    assert new_hash != old_hash
    [entry] = entries("admin.changed", object_id=str(target.pk))
    assert entry.actor_id == administrator.pk
    assert entry.data["fields"] == ["password"]
    written = json.dumps(entry.data)
    assert new_password not in written and new_hash not in written and old_hash not in written
    assert_chain_intact()


def test_new_accounts_and_deleted_accounts_are_audited(client, administrator, staff_factory):
    post_form(
        client,
        "/console/admin/accounts/user/add/",
        username="newcomer",
        role=Role.COUNSELLOR,
        password1="a long first password 1",
        password2="a long first password 1",
    )
    newcomer = User.objects.get(username="newcomer")
    [added] = entries("admin.added", object_type="user", object_id=str(newcomer.pk))
    assert added.actor_id == administrator.pk
    assert added.data["values"]["role"] == [None, "counsellor"]
    assert "a long first password 1" not in json.dumps(added.data)
    assert newcomer.password not in json.dumps(added.data)

    leaver = staff_factory(role=Role.COUNSELLOR, username="leaver")
    response = client.post(f"/console/admin/accounts/user/{leaver.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not User.objects.filter(pk=leaver.pk).exists()
    [deleted] = entries("admin.deleted", object_type="user", object_id=str(leaver.pk))
    assert deleted.actor_id == administrator.pk
    assert deleted.data["label"] == "leaver"
    assert deleted.data["values"]["role"] == ["counsellor", None]
    assert_chain_intact()


def test_two_factor_devices_added_confirmed_and_deleted_are_audited_without_their_keys(
    client, administrator, staff_factory
):
    target = staff_factory(role=Role.COUNSELLOR)
    add = admin_form(client, "/console/admin/otp_totp/totpdevice/add/")
    add.update({"user": [str(target.pk)], "name": ["second phone"]})
    add.pop("confirmed", None)
    response = client.post("/console/admin/otp_totp/totpdevice/add/", add)
    assert response.status_code == 302, _errors(response)
    device = TOTPDevice.objects.get(user=target, name="second phone")
    [added] = entries("admin.added", object_type="totpdevice", object_id=str(device.pk))
    assert added.actor_id == administrator.pk
    assert added.data["values"]["user"] == [None, target.pk]
    assert added.data["values"]["confirmed"] == [None, False]
    assert device.key not in json.dumps(added.data)

    post_form(client, f"/console/admin/otp_totp/totpdevice/{device.pk}/change/", confirmed="on")
    device.refresh_from_db()
    assert device.confirmed
    [confirmed] = entries("admin.changed", object_type="totpdevice", object_id=str(device.pk))
    assert confirmed.data["values"]["confirmed"] == [False, True]
    assert device.key not in json.dumps(confirmed.data)

    other = device_confirmed(target, name="old phone")
    response = client.post(
        "/console/admin/otp_totp/totpdevice/",
        {"action": "delete_selected", "_selected_action": [device.pk, other.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=target).exists()
    deleted = entries("admin.deleted", object_type="totpdevice")
    assert {e.object_id for e in deleted} == {str(device.pk), str(other.pk)}
    assert all(e.actor_id == administrator.pk for e in deleted)
    assert all(e.data["values"]["user"] == [target.pk, None] for e in deleted)
    assert_chain_intact()


def test_a_retention_period_change_is_audited_with_old_and_new_days(client, administrator):
    policy = RetentionPolicy.saved()
    before = policy.message_days
    post_form(
        client,
        f"/console/admin/retention/retentionpolicy/{policy.pk}/change/",
        message_days=before - 30,
    )
    [entry] = entries("admin.changed", object_type="retentionpolicy")
    assert entry.actor_id == administrator.pk
    assert entry.data["fields"] == ["message_days"]
    assert entry.data["values"] == {"message_days": [before, before - 30]}
    assert_chain_intact()


def test_opening_hours_changed_in_the_form_and_in_the_list_are_audited(client, administrator):
    monday = OpeningHoursFactory(weekday=0, opens=time(9), closes=time(17))
    post_form(client, f"/console/admin/helpline/openinghours/{monday.pk}/change/", closes="15:00")
    [entry] = entries("admin.changed", object_type="openinghours")
    assert entry.data["values"] == {"closes": ["17:00:00", "15:00:00"]}

    listing = admin_form(client, "/console/admin/helpline/openinghours/")
    listing.pop("action", None)
    listing["form-0-opens"] = ["08:00"]
    listing["_save"] = ["Save"]
    response = client.post("/console/admin/helpline/openinghours/", listing)
    assert response.status_code == 302, _errors(response)
    monday.refresh_from_db()
    assert monday.opens == time(8)
    second = entries("admin.changed", object_type="openinghours")[1]
    assert second.actor_id == administrator.pk
    assert second.data["values"] == {"opens": ["09:00:00", "08:00:00"]}
    assert_chain_intact()


def test_opening_exceptions_added_and_deleted_are_audited(client, administrator):
    url = "/console/admin/helpline/openingexception/add/"
    post_form(client, url, date="2031-06-20", closed="on", note="Midsummer")
    exception = OpeningException.objects.get(date=date(2031, 6, 20))
    [added] = entries("admin.added", object_type="openingexception")
    assert added.object_id == str(exception.pk)
    assert added.data["values"]["date"] == [None, "2031-06-20"]
    assert added.data["values"]["closed"] == [None, True]

    response = client.post(
        "/console/admin/helpline/openingexception/",
        {"action": "delete_selected", "_selected_action": [exception.pk], "post": "yes"},
    )
    assert response.status_code == 302
    [deleted] = entries("admin.deleted", object_type="openingexception")
    assert deleted.object_id == str(exception.pk)
    assert deleted.data["values"]["date"] == ["2031-06-20", None]
    assert_chain_intact()


def test_flood_switch_settings_changed_in_the_admin_are_audited(client, administrator):
    switch = FloodSwitch.saved()
    before = (switch.bits, switch.wait_seconds)
    post_form(
        client,
        f"/console/admin/helpline/floodswitch/{switch.pk}/change/",
        bits=before[0] + 1,
        wait_seconds=before[1] + 5,
    )
    [entry] = entries("admin.changed", object_type="floodswitch")
    assert entry.actor_id == administrator.pk
    assert entry.data["values"] == {
        "bits": [before[0], before[0] + 1],
        "wait_seconds": [before[1], before[1] + 5],
    }
    assert_chain_intact()


def test_the_unlock_action_is_audited_for_each_account(client, administrator, staff_factory):
    locked = [staff_factory(role=Role.COUNSELLOR) for _ in range(2)]
    User.objects.filter(pk__in=[u.pk for u in locked]).update(failed_login_count=3)
    response = client.post(
        "/console/admin/accounts/user/",
        {"action": "unlock_accounts", "_selected_action": [u.pk for u in locked]},
    )
    assert response.status_code == 302
    unlocked = entries("accounts.unlocked")
    assert {e.object_id for e in unlocked} == {str(u.pk) for u in locked}
    assert all(e.actor_id == administrator.pk for e in unlocked)
    assert_chain_intact()


def test_a_refused_admin_form_writes_nothing_to_the_audit_log(client, administrator):
    policy = RetentionPolicy.saved()
    count = AuditEntry.objects.count()
    url = f"/console/admin/retention/retentionpolicy/{policy.pk}/change/"
    data = admin_form(client, url)
    data["message_days"] = ["-4"]
    response = client.post(url, data)
    assert response.status_code == 200
    assert AuditEntry.objects.count() == count


def test_admin_audit_entries_have_labels_on_the_audit_page(client, administrator, staff_factory):
    target = staff_factory(role=Role.COUNSELLOR)
    post_form(client, f"/console/admin/accounts/user/{target.pk}/change/", role=Role.ANALYST)
    html = client.get("/console/audit/", HTTP_ACCEPT_LANGUAGE="fi").content.decode()
    assert "Muutti ylläpidossa" in html
    assert "admin.changed" not in html


def test_a_change_to_the_counsellor_profile_inline_is_audited_on_the_account(
    client, administrator, staff_factory
):
    target = staff_factory(role=Role.COUNSELLOR, max_chats=2)
    url = f"/console/admin/accounts/user/{target.pk}/change/"
    post_form(client, url, **{"counsellor_profile-0-max_chats": 5})
    [entry] = entries("admin.changed", object_type="user", object_id=str(target.pk))
    assert entry.data["values"] == {"counsellorprofile.max_chats": [2, 5]}
    assert_chain_intact()

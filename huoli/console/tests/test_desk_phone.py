"""The "Desk phone" section of the counsellor's profile page: the SIP user, the server and a
password Huoli makes, shown once; only its digest credential is kept, encrypted."""

import re

import pytest
from django.db import connection
from django.test import override_settings

from huoli.accounts.models import CounsellorProfile
from huoli.calls.selectors import DESK_PHONE_REALM, desk_phone_ha1, sip_user
from huoli.calls.services import desk_phone_ha1_of
from huoli.conversations.services.queue import duty_set
from huoli.core.models import AuditEntry
from huoli.core.roles import Role

pytestmark = pytest.mark.django_db

PASSWORD = re.compile(r"<code data-desk-phone-password>([^<]+)</code>")


def make_password(client) -> str:
    response = client.post("/console/profile/desk-phone/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    return PASSWORD.search(response.content.decode()).group(1)


@override_settings(HUOLI_TELEPHONY=True, HUOLI_SIP_SERVER="192.0.2.5:5060")
def test_a_counsellor_makes_a_desk_phone_password_shown_once(client, logged_in):
    user = logged_in(Role.COUNSELLOR)
    html = client.get("/console/profile/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Desk phone" in html
    assert f"<code>{sip_user(user)}</code>" in html
    assert "<code>192.0.2.5:5060</code>" in html
    assert "None yet." in html
    assert "Make a new desk phone password" in html

    first = make_password(client)
    assert len(first) == 20
    profile = CounsellorProfile.objects.get(user=user)
    assert profile.desk_phone_ha1 == desk_phone_ha1_of(sip_name=sip_user(user), password=first)
    assert profile.desk_phone_set_at is not None
    # Kept encrypted: neither the password nor its digest is in the table.
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM accounts_counsellorprofile")
        stored = repr(cursor.fetchall())
    assert first not in stored and profile.desk_phone_ha1 not in stored
    entry = AuditEntry.objects.get(action="accounts.desk_phone_password")
    assert entry.actor_id == user.pk and first not in repr(entry.data)

    html = client.get("/console/profile/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert first not in html and "it is not shown again" in html

    # A new password replaces the old one.
    second = make_password(client)
    assert second != first
    profile.refresh_from_db()
    assert profile.desk_phone_ha1 == desk_phone_ha1_of(sip_name=sip_user(user), password=second)
    assert AuditEntry.objects.filter(action="accounts.desk_phone_password").count() == 2
    assert DESK_PHONE_REALM == "huoli"


@override_settings(HUOLI_TELEPHONY=True)
def test_the_credential_goes_to_kamailio_only_while_on_duty_taking_calls(client, logged_in):
    user = logged_in(Role.COUNSELLOR)
    make_password(client)
    name = sip_user(user)
    assert desk_phone_ha1(name) == ""  # not on duty, not taking calls
    profile = CounsellorProfile.objects.get(user=user)
    profile.takes_calls = True
    profile.save(update_fields=["takes_calls"])
    duty_set(user=user, on_duty=True)
    assert desk_phone_ha1(name) == CounsellorProfile.objects.get(user=user).desk_phone_ha1


def test_without_the_telephone_there_is_no_desk_phone(client, logged_in):
    logged_in(Role.COUNSELLOR)
    html = client.get("/console/profile/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Desk phone" not in html
    response = client.post("/console/profile/desk-phone/")
    assert response.status_code == 302
    assert not AuditEntry.objects.filter(action="accounts.desk_phone_password").exists()


@override_settings(HUOLI_TELEPHONY=True)
def test_staff_who_do_not_counsel_cannot_make_one(client, logged_in):
    logged_in(Role.ANALYST)
    assert "Desk phone" not in client.get("/console/profile/").content.decode()
    assert client.post("/console/profile/desk-phone/").status_code == 403
    assert client.get("/console/profile/desk-phone/").status_code in (403, 405)

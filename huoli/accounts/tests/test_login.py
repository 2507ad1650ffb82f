from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from huoli.accounts.models import User
from huoli.accounts.tests.factories import PASSWORD
from huoli.conftest import current_token
from huoli.core.models import AuditEntry
from huoli.core.roles import Role

pytestmark = pytest.mark.django_db

LOGIN = "/console/login/"
VERIFY = "/console/login/verify/"
HOME = "/console/"


def post_password(client, username, password=PASSWORD, next_url=None):
    data = {"username": username, "password": password}
    if next_url:
        data["next"] = next_url
    return client.post(LOGIN, data, HTTP_ACCEPT_LANGUAGE="en")


def test_password_alone_does_not_open_the_console(client, enrolled, no_demo_mode):
    user, _device = enrolled(Role.COUNSELLOR)
    response = post_password(client, user.username)
    assert response.status_code == 302
    assert response["Location"].startswith(VERIFY)
    home = client.get(HOME)
    assert home.status_code == 302
    assert home["Location"].startswith(LOGIN)


def test_password_and_code_open_the_console(client, enrolled, no_demo_mode):
    user, device = enrolled(Role.COUNSELLOR)
    verify_page = post_password(client, user.username, next_url="/console/profile/")["Location"]
    response = client.post(verify_page, {"token": current_token(device)})
    assert response.status_code == 302
    assert response["Location"] == "/console/profile/"
    assert client.get(HOME).status_code == 200
    entry = AuditEntry.objects.get(action="accounts.login")
    assert entry.actor_id == user.pk
    assert entry.data == {"two_factor": True}


def test_a_wrong_code_is_refused_with_a_clear_message(client, enrolled, no_demo_mode):
    user, device = enrolled(Role.COUNSELLOR)
    post_password(client, user.username)
    wrong = f"{(int(current_token(device)) + 1) % 1000000:06d}"
    response = client.post(VERIFY, {"token": wrong}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "That code is not correct" in response.content.decode()
    assert client.get(HOME).status_code == 302


def test_an_offsite_next_is_ignored(client, enrolled, no_demo_mode):
    user, device = enrolled(Role.COUNSELLOR)
    verify_page = post_password(client, user.username, next_url="https://evil.example/")["Location"]
    response = client.post(verify_page, {"token": current_token(device)})
    assert response["Location"] == HOME


def test_staff_without_a_device_must_enrol_before_anything_else(
    client, staff_factory, no_demo_mode
):
    user = staff_factory(role=Role.SUPERVISOR)
    response = post_password(client, user.username)
    assert response["Location"].startswith("/console/two-factor/")
    assert client.get(HOME)["Location"].startswith("/console/two-factor/")

    page = client.get("/console/two-factor/", HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()
    assert 'src="data:image/svg+xml;base64,' in html
    device = TOTPDevice.objects.get(user=user, confirmed=False)

    response = client.post("/console/two-factor/", {"token": current_token(device)})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(HOME).status_code == 200
    assert AuditEntry.objects.filter(action="accounts.two_factor_enrolled").count() == 1


def test_demo_accounts_skip_two_factor_only_in_demo_mode(client, staff_factory, settings):
    user = staff_factory(role=Role.COUNSELLOR, is_demo=True)
    settings.HUOLI_DEMO = True
    assert post_password(client, user.username)["Location"] == HOME
    assert client.get(HOME).status_code == 200

    client.post("/console/logout/")
    settings.HUOLI_DEMO = False
    assert post_password(client, user.username)["Location"].startswith("/console/two-factor/")
    assert client.get(HOME).status_code == 302


def test_non_demo_staff_need_two_factor_even_in_demo_mode(client, enrolled, demo_mode):
    user, _device = enrolled(Role.ADMINISTRATOR)
    assert post_password(client, user.username)["Location"].startswith(VERIFY)
    assert client.get(HOME).status_code == 302


def test_wrong_password_gets_a_translated_message(client, counsellor):
    response = client.post(
        LOGIN, {"username": counsellor.username, "password": "wrong"}, HTTP_ACCEPT_LANGUAGE="fi"
    )
    assert response.status_code == 200
    assert "Käyttäjätunnus tai salasana ei ole oikein." in response.content.decode()


def test_missing_fields_get_field_errors_not_a_500(client):
    response = client.post(LOGIN, {}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()


def test_lockout_engages_and_releases(client, enrolled, settings, no_demo_mode):
    settings.HUOLI_LOCKOUT_ATTEMPTS = 3
    settings.HUOLI_LOCKOUT_MINUTES = 15
    user, _device = enrolled(Role.COUNSELLOR)
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        for _ in range(2):
            response = post_password(client, user.username, "wrong")
            assert "not correct" in response.content.decode()
        response = post_password(client, user.username, "wrong")
        assert "this account is locked until" in response.content.decode()
        assert AuditEntry.objects.filter(action="accounts.locked").count() == 1

        # While locked, even the right password is refused.
        clock.shift(timedelta(minutes=14))
        response = post_password(client, user.username)
        assert response.status_code == 200
        assert "this account is locked until" in response.content.decode()

        # After the lock the right password works again.
        clock.shift(timedelta(minutes=2))
        response = post_password(client, user.username)
        assert response["Location"].startswith(VERIFY)
        user.refresh_from_db()
        assert user.failed_login_count == 0


def test_lockout_message_is_translated(client, counsellor, settings):
    settings.HUOLI_LOCKOUT_ATTEMPTS = 1
    response = client.post(
        LOGIN, {"username": counsellor.username, "password": "x"}, HTTP_ACCEPT_LANGUAGE="sv"
    )
    assert "för många misslyckade försök" in response.content.decode().lower()


def test_wrong_codes_count_towards_the_lockout(client, enrolled, settings, no_demo_mode):
    settings.HUOLI_LOCKOUT_ATTEMPTS = 2
    user, device = enrolled(Role.COUNSELLOR)
    post_password(client, user.username)
    wrong = f"{(int(current_token(device)) + 1) % 1000000:06d}"
    client.post(VERIFY, {"token": wrong})
    response = client.post(VERIFY, {"token": wrong}, HTTP_ACCEPT_LANGUAGE="en")
    assert "this account is locked until" in response.content.decode()
    assert User.objects.get(pk=user.pk).is_locked()


def test_unknown_username_is_answered_like_a_wrong_password(client):
    response = post_password(client, "nobody", "whatever")
    assert "The username or password is not correct." in response.content.decode()


def test_passwords_are_hashed_with_argon2():
    from huoli import settings as production_settings

    assert production_settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


def test_logout_requires_post(client, counsellor, demo_mode):
    assert client.get("/console/logout/").status_code == 405
    assert reverse("console:logout") == "/console/logout/"

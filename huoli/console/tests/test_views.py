import pytest

from huoli.accounts.models import CounsellorProfile
from huoli.core.roles import Role

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "heading", "empty_text"),
    [
        ("fi", "Omat chatit", "Kun tulet päivystykseen"),
        ("sv", "Mina chattar", "När du går i tjänst"),
        ("en", "My chats", "When you go on duty"),
    ],
)
def test_console_home_speaks_the_staff_languages(client, logged_in, language, heading, empty_text):
    logged_in(Role.COUNSELLOR)
    html = client.get("/console/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert f'<html lang="{language}"' in html
    assert heading in html
    assert empty_text in html


def test_finnish_is_the_default_for_a_browser_without_a_known_language(client, logged_in):
    logged_in(Role.COUNSELLOR)
    html = client.get("/console/", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert '<html lang="fi"' in html


def test_the_language_switcher_keeps_the_choice_in_a_console_cookie(client, logged_in):
    logged_in(Role.COUNSELLOR)
    response = client.post("/console/language/", {"language": "sv", "next": "/console/profile/"})
    assert response.status_code == 302
    assert response["Location"] == "/console/profile/"
    cookie = response.cookies["huoli_console_language"]
    assert cookie.value == "sv"
    assert cookie["path"] == "/console/"
    html = client.get("/console/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="sv"' in html


def test_each_role_sees_what_its_home_will_hold(client, logged_in):
    logged_in(Role.ANALYST)
    html = client.get("/console/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Statistics" in html
    assert "My chats" not in html
    assert "Audit log" not in html


def test_administrator_home_links_to_staff_accounts_and_audit(client, logged_in):
    logged_in(Role.ADMINISTRATOR)
    html = client.get("/console/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "/console/admin/accounts/user/" in html
    assert "/console/audit/" in html
    assert client.get("/console/admin/").status_code == 200


def test_counsellor_edits_the_profile_shown_to_visitors(client, logged_in):
    user = logged_in(Role.COUNSELLOR)
    response = client.post(
        "/console/profile/",
        {"display_name": "Aino", "languages": ["fi", "so"], "max_chats": "4"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 302
    profile = CounsellorProfile.objects.get(user=user)
    assert (profile.display_name, profile.languages, profile.max_chats) == ("Aino", ["fi", "so"], 4)


def test_bad_profile_input_is_answered_and_nothing_is_saved(client, logged_in):
    user = logged_in(Role.COUNSELLOR)
    before = CounsellorProfile.objects.get(user=user).max_chats
    response = client.post(
        "/console/profile/",
        {"display_name": "", "languages": ["xx"], "max_chats": "99"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "This field is required." in html
    assert "Select a valid choice." in html
    assert "less than or equal to 6" in html
    assert CounsellorProfile.objects.get(user=user).max_chats == before


def test_analyst_has_no_counsellor_profile_form(client, logged_in):
    logged_in(Role.ANALYST)
    html = client.get("/console/profile/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Display name" not in html
    assert "Analyst" in html


def test_audit_pages_list_and_show_entries(client, logged_in):
    admin = logged_in(Role.ADMINISTRATOR)
    from huoli.core.audit import audit_record

    entry = audit_record(actor=admin, action="case.read", object_type="case", object_id="K7Q")
    audit_record(actor=admin, action="accounts.unlocked", object_type="user", object_id=admin.pk)
    audit_record(actor=admin, action="future.action")
    html = client.get("/console/audit/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Opened a case" in html
    assert "Account unlocked" in html
    assert "future.action" in html  # an action without a label shows as it is
    detail = client.get(f"/console/audit/{entry.seq}/", HTTP_ACCEPT_LANGUAGE="en")
    assert entry.hash in detail.content.decode()


def test_staff_pages_are_never_cached(client, logged_in):
    logged_in(Role.COUNSELLOR)
    assert "no-store" in client.get("/console/")["Cache-Control"]
    assert "no-store" in client.get("/console/login/")["Cache-Control"]


def test_the_admin_needs_two_factor_even_for_an_administrator(client, staff_factory, no_demo_mode):
    admin = staff_factory(role=Role.ADMINISTRATOR)
    client.force_login(admin)
    response = client.get("/console/admin/", follow=True, HTTP_ACCEPT_LANGUAGE="en")
    assert response.redirect_chain[-1][0].startswith("/console/login/")
    assert "Log in" in response.content.decode()
    assert client.get("/console/").status_code == 302

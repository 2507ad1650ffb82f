import re

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from huoli.accounts.tests.factories import PASSWORD, StaffFactory
from huoli.conftest import current_token
from huoli.core.roles import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def new_supervisor(transactional_db, no_demo_mode):
    return StaffFactory(role=Role.SUPERVISOR, first_name="Mikko")


# Data fixtures come before `browser`: services must not run beside Playwright's event loop.
def test_demo_counsellor_logs_in_and_switches_language(
    demo_staff, browser, live_server_url, csp_violations, tmp_path
):
    context = browser.new_context(locale="fi-FI")
    page = csp_violations(context.new_page())

    page.goto(f"{live_server_url}/console/")
    expect(page).to_have_url(re.compile(r"/console/login/"))
    expect(page.locator("html")).to_have_attribute("lang", "fi")
    page.get_by_label("Käyttäjätunnus").fill("counsellor")
    page.get_by_label("Salasana").fill("demo-password")
    page.get_by_role("button", name="Kirjaudu", exact=True).click()

    expect(page.get_by_role("heading", name="Hei, Aino")).to_be_visible()
    expect(page.get_by_role("heading", name="Omat chatit")).to_be_visible()
    expect(page.get_by_text("Kun tulet päivystykseen")).to_be_visible()
    # The console websocket connects through the same server.
    expect(page.get_by_text("Reaaliaikaiset päivitykset ovat päällä.")).to_be_visible()
    page.screenshot(path=str(tmp_path / "console-fi.png"), full_page=True)
    print("screenshot:", tmp_path / "console-fi.png")

    page.get_by_label("Kieli").select_option("sv")
    page.get_by_role("button", name="Vaihda kieli").click()
    expect(page.get_by_role("heading", name="Mina chattar")).to_be_visible()

    page.get_by_label("Språk").select_option("en")
    page.get_by_role("button", name="Byt språk").click()
    expect(page.get_by_role("heading", name="My chats")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert csp_violations.found == []
    context.close()


def test_login_page_in_english_has_the_named_fields(browser, live_server_url):
    context = browser.new_context(locale="en-GB")
    page = context.new_page()
    page.goto(f"{live_server_url}/console/login/")
    expect(page.get_by_label("Username")).to_be_visible()
    expect(page.get_by_label("Password")).to_be_visible()
    expect(page.get_by_role("button", name="Log in", exact=True)).to_be_visible()
    context.close()


def test_new_staff_member_enrols_two_factor_by_qr_code(
    new_supervisor, browser, live_server_url, csp_violations
):
    user = new_supervisor
    context = browser.new_context(locale="en-GB")
    page = csp_violations(context.new_page())
    page.goto(f"{live_server_url}/console/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", name="Set up two-factor login")).to_be_visible()
    qr = page.get_by_role("img", name="QR code for your authenticator app")
    expect(qr).to_be_visible()
    assert qr.evaluate("image => image.naturalWidth") > 0

    device = TOTPDevice.objects.get(user=user, confirmed=False)
    page.get_by_label("Code from your authenticator app").fill(current_token(device))
    page.get_by_role("button", name="Turn on two-factor login").click()
    expect(page.get_by_text("Two-factor login is on. Keep your phone safe.")).to_be_visible()
    expect(page.get_by_role("heading", name="Live conversations")).to_be_visible()
    assert csp_violations.found == []

    # The next login asks for the code after the password.
    page.get_by_role("button", name="Log out").click()
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Enter your two-factor code")).to_be_visible()
    context.close()

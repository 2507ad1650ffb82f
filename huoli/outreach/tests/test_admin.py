"""Administrators keep the campaign codes in the admin: add one (in lower case), stop counting
it, read the ended months' counts; never delete or rename one. Nobody else gets in."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from huoli.console.tests.test_admin_audit import admin_form, post_form
from huoli.core.models import AuditEntry
from huoli.core.roles import Role
from huoli.helpline.selectors import HELSINKI
from huoli.outreach.models import Campaign, CampaignCount

pytestmark = pytest.mark.django_db

LIST = "/console/admin/outreach/campaign/"


def test_an_administrator_adds_a_campaign_and_stops_counting_it(client, logged_in):
    logged_in(Role.ADMINISTRATOR)
    post_form(client, f"{LIST}add/", code=" Koulu ", name="Schools", active="on")
    campaign = Campaign.objects.get()
    assert (campaign.code, campaign.active) == ("koulu", True)
    assert AuditEntry.objects.filter(object_type__icontains="campaign").exists()
    bad = {**admin_form(client, f"{LIST}add/"), "code": ["koulu koulu"], "name": ["x"]}
    assert client.post(f"{LIST}add/", bad).status_code == 200
    assert Campaign.objects.count() == 1
    change = f"{LIST}{campaign.pk}/change/"
    # The code stays as printed on the posters; only the name and "counted" change.
    assert 'name="code"' not in client.get(change).content.decode()
    post_form(client, change, code="muu", name="Schools in Helsinki", active=None)
    campaign.refresh_from_db()
    assert (campaign.code, campaign.name, campaign.active) == (
        "koulu",
        "Schools in Helsinki",
        False,
    )
    assert client.get(f"{LIST}{campaign.pk}/delete/").status_code == 403


@time_machine.travel(dt.datetime(2027, 3, 20, 12, tzinfo=HELSINKI))
def test_the_counts_of_ended_months_only_read_only(client, logged_in):
    logged_in(Role.ADMINISTRATOR)
    campaign = Campaign.objects.create(code="koulu", name="Schools")
    CampaignCount.objects.create(campaign=campaign, month=dt.date(2027, 2, 1), count=17)
    CampaignCount.objects.create(campaign=campaign, month=dt.date(2027, 3, 1), count=3)
    response = client.get(f"{LIST}{campaign.pk}/change/", HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert response.status_code == 200
    counts = html[html.index('id="counts-group"') :]
    counts = counts[: counts.index("</fieldset>")]
    assert "February 2027" in counts and "<p>17</p>" in counts
    assert "March 2027" not in counts and "<p>3</p>" not in counts
    assert 'name="counts-0-count"' not in counts  # read only


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.COUNSELLOR, Role.ANALYST])
def test_nobody_else_opens_it(client, logged_in, role):
    logged_in(role)
    response = client.get(LIST)
    assert response.status_code in (302, 403)
    assert "koulu" not in response.content.decode()

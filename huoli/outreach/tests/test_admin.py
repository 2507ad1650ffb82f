"""Administrators keep the campaign codes in the admin: add one (in lower case), stop counting
it; never delete or rename one, never read a count there. Nobody else gets in."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client

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
def test_the_admin_shows_no_count_and_filters_on_none(client, logged_in):
    """Exact counts would tell whether the one family given a code called (a code is listed
    by hand), and a filter on the counts would tell when a campaign's first start of the
    month came (its row is made then): the counts are read in the statistics only."""
    logged_in(Role.ADMINISTRATOR)
    campaign = Campaign.objects.create(code="anna-k", name="One parent")
    first = CampaignCount.objects.create(campaign=campaign, month=dt.date(2027, 2, 1), count=1)
    html = client.get(f"{LIST}{campaign.pk}/change/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'id="counts-group"' not in html and "February 2027" not in html
    # A message started from the code's link this month makes a count row.
    started = Client().post(
        "/fi/message/",
        {"body": "Hei", "client_id": "c-anna", "nickname": "", "language": "fi", "c": "anna-k"},
    )
    assert started.status_code == 302
    assert CampaignCount.objects.filter(month=dt.date(2027, 3, 1)).get().count == 1
    for lookup in (f"counts__gt={first.pk}", "counts__count=1", "counts__month__gte=2027-03-01"):
        listed = client.get(f"{LIST}?{lookup}")
        # Django refuses a lookup the admin does not allow (DisallowedModelAdminLookup).
        assert listed.status_code == 400 and "anna-k" not in listed.content.decode(), lookup
    assert "anna-k" in client.get(LIST).content.decode()


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.COUNSELLOR, Role.ANALYST])
def test_nobody_else_opens_it(client, logged_in, role):
    logged_in(role)
    response = client.get(LIST)
    assert response.status_code in (302, 403)
    assert "koulu" not in response.content.decode()

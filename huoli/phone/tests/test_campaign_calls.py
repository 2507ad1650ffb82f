"""A web call from a page visited with a campaign code (issue 19): the code rides in the
call's signed token and counts once, when Kamailio's first question starts the call."""

from __future__ import annotations

import pytest
from django.test import override_settings

from huoli.calls.models import Call
from huoli.calls.services import web_call_token_issue
from huoli.calls.tests.factories import call_taker_on_duty
from huoli.outreach.models import Campaign, CampaignCount
from huoli.phone.tests.test_views import ask

pytestmark = pytest.mark.django_db


def counted() -> int:
    return sum(CampaignCount.objects.values_list("count", flat=True))


@override_settings(HUOLI_TELEPHONY=True)
def test_a_web_call_counts_its_campaign_once_when_it_starts(client):
    Campaign.objects.create(code="koulu", name="Schools")
    call_taker_on_duty()
    token = web_call_token_issue(line="fi", campaign="koulu")
    first = ask(client, "route", call="w1@x", line="fi", source="web", token=token)
    assert first.content.decode().split()[0] == "ring"
    assert counted() == 1
    # Kamailio asks again about the same call (after a ring round): no second count.
    ask(client, "route", call="w1@x", line="fi", source="web", token=token)
    assert counted() == 1 and Call.objects.count() == 1
    # The token was used: a second call with it is refused and counts nothing.
    again = ask(client, "route", call="w2@x", line="fi", source="web", token=token)
    assert again.content.decode().split()[:2] == ["reject", "403"]
    assert counted() == 1


@override_settings(HUOLI_TELEPHONY=True)
def test_a_refused_web_call_and_an_inactive_campaign_count_nothing(client):
    Campaign.objects.create(code="vanha", name="Old", active=False)
    Campaign.objects.create(code="koulu", name="Schools")
    # Nobody takes calls: the call does not start.
    token = web_call_token_issue(line="fi", campaign="koulu")
    refused = ask(client, "route", call="w3@x", line="fi", source="web", token=token)
    assert refused.content.decode().split()[0] == "reject"
    call_taker_on_duty()
    old = web_call_token_issue(line="fi", campaign="vanha")
    assert ask(client, "route", call="w4@x", line="fi", source="web", token=old).status_code == 200
    assert Call.objects.count() == 1
    assert not CampaignCount.objects.exists()

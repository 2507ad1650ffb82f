"""Counting a campaign code: one more conversation or call-back request in its month.

The code is never stored anywhere else: the public pages carry it in their links and forms
during one visit (no cookie), and once a start succeeded they call ``campaign_count``; the
conversation, the call-back and every row about a person stay without it."""

from __future__ import annotations

import re
from datetime import date, datetime

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from huoli.helpline.selectors import HELSINKI
from huoli.outreach.models import CAMPAIGN_CODE, Campaign, CampaignCount

_CODE = re.compile(CAMPAIGN_CODE)


def campaign_month(when: datetime | None = None) -> date:
    """The first day of the Helsinki month of ``when`` (now without it)."""
    return timezone.localtime(when or timezone.now(), HELSINKI).date().replace(day=1)


def campaign_count(*, code: str, when: datetime | None = None) -> bool:
    """Count one start under ``code`` in the Helsinki month of ``when`` (now without it).
    Only the code of an active campaign counts; anything else (unknown, inactive, malformed)
    is ignored and returns False, never an error, as the code comes from a visitor's link.

    Safe under concurrency on PostgreSQL and SQLite: an ``UPDATE … SET count = count + 1``
    of the month's row; if there is none yet, an insert in a savepoint, and when a concurrent
    start inserted it first (the unique constraint refuses ours) the update again."""
    if not isinstance(code, str) or not _CODE.fullmatch(code):
        return False
    month = campaign_month(when)
    with transaction.atomic():
        campaign = Campaign.objects.filter(code=code, active=True).first()
        if campaign is None:
            return False
        row = CampaignCount.objects.filter(campaign=campaign, month=month)
        if row.update(count=F("count") + 1):
            return True
        try:
            with transaction.atomic():
                CampaignCount.objects.create(campaign=campaign, month=month, count=1)
        except IntegrityError:
            row.update(count=F("count") + 1)
    return True

"""Reading the campaign counts (the statistics' "Campaign codes" table)."""

from __future__ import annotations

from datetime import date

from django.db.models import Sum

from huoli.outreach.models import Campaign, CampaignCount


def campaign_counts(first: date | None, last: date | None) -> list[tuple[Campaign, int]]:
    """Every campaign ever made (active or not, used or not: a row listed only where it was
    used would tell that it holds one), with the sum of its months from ``first`` to
    ``last`` (first days of months); 0 for all without months (``first`` None)."""
    sums: dict[int, int] = {}
    if first is not None and last is not None and first <= last:
        sums = {
            row["campaign"]: row["n"]
            for row in CampaignCount.objects.filter(month__gte=first, month__lte=last)
            .order_by()
            .values("campaign")
            .annotate(n=Sum("count"))
        }
    return [(campaign, sums.get(campaign.pk, 0)) for campaign in Campaign.objects.order_by("code")]

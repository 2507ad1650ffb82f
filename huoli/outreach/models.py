"""Reaching families: the campaign codes partners' links and QR codes carry, counted per
month and nothing else (issue 19, decision 0042)."""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

CAMPAIGN_CODE = r"[a-z0-9][a-z0-9-]{0,19}"


class Campaign(models.Model):
    """A code a partner's link carries (``/fi/?c=koulu``). Only codes listed here are
    counted; anything else a link carries is ignored."""

    code = models.CharField(
        _("code"),
        max_length=20,
        unique=True,
        validators=[RegexValidator(f"^{CAMPAIGN_CODE}$")],
        help_text=_("Lower-case letters, digits and hyphens, e.g. koulu."),
    )
    name = models.CharField(
        _("name"), max_length=120, help_text=_("Who uses it, e.g. schools in Helsinki.")
    )
    active = models.BooleanField(_("counted"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("campaign code")
        verbose_name_plural = _("campaign codes")

    def __str__(self) -> str:
        return self.code


class CampaignCount(models.Model):
    """How many conversations and call-backs started from a campaign's links in one month
    (Helsinki time): a number, never a link to a conversation."""

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="counts")
    month = models.DateField(_("month"))  # its first day
    count = models.PositiveIntegerField(_("count"), default=0)

    class Meta:
        ordering = ["month", "campaign"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "month"], name="outreach_one_count_a_month")
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id} {self.month:%Y-%m}: {self.count}"

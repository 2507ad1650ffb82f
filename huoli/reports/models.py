"""Open statistics: which quarters the organisation has published on the public page, and which
tables the page shows (one row). A quarter keeps the texts its tables printed when it was
published (the staff report's cells of that day, ``open_statistics``; decisions 0037, 0042),
never a true count."""

from __future__ import annotations

import calendar
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# The tables a public page may show, in the page's order: the key of the staff report's table
# (``selectors._build``) and the public caption.
OPEN_TABLES = {
    "channel": _("Contacts by channel"),
    "concern": _("Contacts by concern"),
    "contacting": _("Who contacted us"),
    "language": _("Contacts by language"),
    "referral": _("Referrals by type of service"),
}


def quarter_range(year: int, quarter: int) -> tuple[date, date]:
    """The first and last day of a quarter (1-4)."""
    last = 3 * quarter
    return date(year, last - 2, 1), date(year, last, calendar.monthrange(year, last)[1])


class PublishedQuarter(models.Model):
    """A quarter whose figures are on the public statistics page. Only a quarter that has
    ended can be published; deleting the row takes it off the page."""

    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    quarter = models.PositiveSmallIntegerField(
        _("quarter"), choices=[(q, str(q)) for q in range(1, 5)]
    )
    published_at = models.DateTimeField(_("published"), default=timezone.now, editable=False)
    # {"tables": {key: {"rows": [{"text", "labels": {language: label}, "languages":
    # {language: the label's own language where it differs}}], "total": text | None,
    # "note": bool}}}: the printed texts only, as published (``open_statistics.quarter_figures``).
    figures = models.JSONField(_("figures as published"), default=dict, editable=False)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        editable=False,
        related_name="+",
        verbose_name=_("published by"),
    )

    class Meta:
        ordering = ["-year", "-quarter"]
        verbose_name = _("published quarter")
        verbose_name_plural = _("published quarters")
        constraints = [
            models.UniqueConstraint(fields=["year", "quarter"], name="published_quarter_unique")
        ]

    def __str__(self) -> str:
        return _("Quarter %(quarter)s of %(year)s") % {"quarter": self.quarter, "year": self.year}

    @property
    def start(self) -> date:
        return quarter_range(self.year, self.quarter)[0]

    @property
    def end(self) -> date:
        return quarter_range(self.year, self.quarter)[1]

    def has_ended(self, today: date | None = None) -> bool:
        return self.end < (today or timezone.localdate())

    def clean(self):
        super().clean()
        if self.year is None or self.quarter not in (1, 2, 3, 4):
            return
        if not 2000 <= self.year <= 2100:
            return  # the field's own validators say why
        if not self.has_ended():
            raise ValidationError(
                _("A quarter can be published only once it has ended (after %(end)s).")
                % {"end": self.end.isoformat()}
            )


class OpenStatistics(models.Model):
    """Which tables the public statistics page shows (one row). Every figure is rounded and
    checked like the staff reports'."""

    channel = models.BooleanField(OPEN_TABLES["channel"], default=True)
    concern = models.BooleanField(OPEN_TABLES["concern"], default=True)
    contacting = models.BooleanField(OPEN_TABLES["contacting"], default=True)
    language = models.BooleanField(OPEN_TABLES["language"], default=True)
    referral = models.BooleanField(OPEN_TABLES["referral"], default=True)

    class Meta:
        verbose_name = _("open statistics")
        verbose_name_plural = _("open statistics")

    def __str__(self) -> str:
        return str(self._meta.verbose_name)

    @property
    def tables(self) -> list[str]:
        """The keys of the tables shown, in the page's order."""
        return [key for key in OPEN_TABLES if getattr(self, key)]

    @classmethod
    def current(cls) -> OpenStatistics:
        """The saved choice, or the default while none is saved; never writes."""
        return cls.objects.filter(pk=1).first() or cls(pk=1)

    @classmethod
    def saved(cls) -> OpenStatistics:
        row, _created = cls.objects.get_or_create(pk=1)
        return row

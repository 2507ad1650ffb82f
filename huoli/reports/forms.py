from __future__ import annotations

import calendar
from datetime import date

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

MAX_DAYS = 3 * 366


def last_full_quarter(today: date) -> tuple[int, int]:
    """The year and number (1-4) of the last quarter that has ended by ``today``."""
    quarter = (today.month - 1) // 3  # this quarter's number minus one
    return (today.year, quarter) if quarter else (today.year - 1, 4)


class RangeForm(forms.Form):
    """A month, a quarter or a year (Europe/Helsinki dates); for those who may (supervisors
    and administrators, ``reports.any_range``) also any range of days. Analysts get whole
    periods only: two reports of ranges ending on consecutive days would differ by one day's
    contacts (decision 0019)."""

    period = forms.ChoiceField(
        label=_("Period"),
        choices=[
            ("month", _("Month")),
            ("quarter", _("Quarter")),
            ("year", _("Year")),
            ("custom", _("Custom")),
        ],
        initial="quarter",
    )
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100, required=False)
    month = forms.TypedChoiceField(
        label=_("Month"), coerce=int, required=False, choices=[(m, m) for m in range(1, 13)]
    )
    quarter = forms.TypedChoiceField(
        label=_("Quarter"), coerce=int, required=False, choices=[(q, q) for q in range(1, 5)]
    )
    start = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, data=None, *, any_range: bool = False, **kwargs):
        # The last full quarter: this month alone has too few contacts for most figures to
        # show more than "<5". The month and year fields start inside that quarter too.
        year, quarter = last_full_quarter(timezone.localdate())
        defaults = {"period": "quarter", "year": year, "month": 3 * quarter, "quarter": quarter}
        merged = {**defaults, **{k: v for k, v in (data or {}).items() if v not in ("", None)}}
        super().__init__(merged, **kwargs)
        self.any_range = any_range
        if not any_range:
            self.fields["period"].choices = [
                choice for choice in self.fields["period"].choices if choice[0] != "custom"
            ]
            del self.fields["start"], self.fields["end"]

    def clean(self):
        data = super().clean()
        period = data.get("period")
        year = data.get("year") or timezone.localdate().year
        if period == "month":
            month = data.get("month") or 1
            data["range"] = (
                date(year, month, 1),
                date(year, month, calendar.monthrange(year, month)[1]),
            )
        elif period == "quarter":
            first = 3 * ((data.get("quarter") or 1) - 1) + 1
            last = first + 2
            data["range"] = (
                date(year, first, 1),
                date(year, last, calendar.monthrange(year, last)[1]),
            )
        elif period == "year":
            data["range"] = (date(year, 1, 1), date(year, 12, 31))
        elif period == "custom" and self.any_range:
            start, end = data.get("start"), data.get("end")
            if not start or not end:
                raise forms.ValidationError(_("Give both the first and the last day."))
            if end < start:
                raise forms.ValidationError(_("The last day comes before the first."))
            if (end - start).days > MAX_DAYS:
                raise forms.ValidationError(_("Choose at most three years."))
            data["range"] = (start, end)
        return data

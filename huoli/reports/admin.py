"""Open statistics in the admin (administrators only, like the whole admin site): the tables the
public page shows, and the quarters published on it. Every change goes to the audit log
(``core.admin_audit``, put on every admin page by the site)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from huoli.core.admin_one_row import OneRowAdmin
from huoli.reports.models import OpenStatistics, PublishedQuarter
from huoli.reports.open_statistics import quarter_figures


@admin.register(OpenStatistics)
class OpenStatisticsAdmin(OneRowAdmin):
    """One row: the tables shown for every published quarter."""

    fieldsets = [
        (
            None,
            {
                "fields": ["channel", "concern", "contacting", "language", "referral"],
                "description": _(
                    "The public statistics page shows these tables for every published "
                    "quarter. Their figures are rounded and hidden like in the staff reports."
                ),
            },
        )
    ]


@admin.register(PublishedQuarter)
class PublishedQuarterAdmin(admin.ModelAdmin):
    """Adding a quarter publishes it (only once it has ended); deleting it takes it off the
    public page. A published quarter is not edited: delete it and add another."""

    list_display = ["__str__", "published_at", "published_by"]
    fields = ["year", "quarter"]

    def has_change_permission(self, request, obj=None):
        return False  # shown read-only: a published quarter is deleted, never changed

    def get_fields(self, request, obj=None):
        return self.fields if obj is None else [*self.fields, "published_at", "published_by"]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else ["published_at", "published_by"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.published_by = request.user
            # The texts printed today are the quarter's from now on (decision 0042).
            obj.figures = quarter_figures(obj.year, obj.quarter)
        super().save_model(request, obj, form, change)

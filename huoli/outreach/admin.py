from django import forms
from django.contrib import admin
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from huoli.outreach.models import Campaign, CampaignCount
from huoli.outreach.services import campaign_month


class CampaignForm(forms.ModelForm):
    class Meta:
        model = Campaign
        fields = ["code", "name", "active"]

    def clean_code(self):
        # Typed as it is printed; kept as the links carry it (public/campaign.py reads the
        # code in lower case).
        return self.cleaned_data["code"].strip().lower()


class CampaignCountInline(admin.TabularInline):
    """The ended months' counts, read only. The running month's count is not shown: watched
    while it grows, it would tell when a family came by a partner's link. The statistics
    show every month, suppressed like every count."""

    model = CampaignCount
    fields = ["month_shown", "count"]
    readonly_fields = ["month_shown", "count"]
    extra = 0
    max_num = 0
    can_delete = False
    verbose_name = _("contacts in an ended month")
    verbose_name_plural = _("contacts by month")

    def get_queryset(self, request):
        return super().get_queryset(request).filter(month__lt=campaign_month()).order_by("-month")

    @admin.display(description=_("month"))
    def month_shown(self, row: CampaignCount) -> str:
        return date_format(row.month, "YEAR_MONTH_FORMAT")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    """Campaign codes partners' links and QR codes carry (``/fi/?c=koulu``); a start from
    such a visit counts one in its month, and nothing else is kept. Codes are never deleted
    or changed (printed materials carry them, and the statistics list every campaign ever
    made): stop counting one with "counted" instead."""

    form = CampaignForm
    list_display = ["code", "name", "active", "created_at"]
    list_filter = ["active"]
    search_fields = ["code", "name"]
    inlines = [CampaignCountInline]

    def get_readonly_fields(self, request, obj=None):
        return ["code", "created_at"] if obj is not None else []

    def has_delete_permission(self, request, obj=None):
        return False

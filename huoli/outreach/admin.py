from django import forms
from django.contrib import admin

from huoli.outreach.models import Campaign


class CampaignForm(forms.ModelForm):
    class Meta:
        model = Campaign
        fields = ["code", "name", "active"]

    def clean_code(self):
        # Typed as it is printed; kept as the links carry it (public/campaign.py reads the
        # code in lower case).
        return self.cleaned_data["code"].strip().lower()


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    """Campaign codes partners' links and QR codes carry (``/fi/?c=koulu``); a start from
    such a visit counts one in its month, and nothing else is kept. Codes are never deleted
    or changed (printed materials carry them, and the statistics list every campaign ever
    made): stop counting one with "counted" instead. The counts are read in the statistics
    only, rounded and checked like every count, and only for months that have ended: shown
    here exactly, a code given to one family would tell whether that family called, and a
    count watched while it grows would tell when (decision 0042)."""

    form = CampaignForm
    list_display = ["code", "name", "active", "created_at"]
    list_filter = ["active"]
    search_fields = ["code", "name"]

    def lookup_allowed(self, lookup, value, request=None):
        # ?counts__gt=… would list the campaigns used this month, at the moment of their
        # first use: no filter reaches the counts.
        if lookup.split("__")[0] == "counts":
            return False
        return super().lookup_allowed(lookup, value, request)

    def get_readonly_fields(self, request, obj=None):
        return ["code", "created_at"] if obj is not None else []

    def has_delete_permission(self, request, obj=None):
        return False

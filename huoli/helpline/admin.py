from django.contrib import admin

from huoli.helpline.models import FloodSwitch, OpeningException, OpeningHours, RetentionPolicy


@admin.register(OpeningHours)
class OpeningHoursAdmin(admin.ModelAdmin):
    list_display = ["weekday", "opens", "closes"]
    list_editable = ["opens", "closes"]
    list_display_links = ["weekday"]


@admin.register(OpeningException)
class OpeningExceptionAdmin(admin.ModelAdmin):
    list_display = ["date", "closed", "opens", "closes", "note"]
    date_hierarchy = "date"


@admin.register(RetentionPolicy)
class RetentionPolicyAdmin(admin.ModelAdmin):
    """One row: how long each kind of data is kept, within the bounds of the model."""

    def has_add_permission(self, request):
        return False  # the one row is made on first use; the list opens it

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        from django.http import HttpResponseRedirect
        from django.urls import reverse

        policy = RetentionPolicy.saved()
        return HttpResponseRedirect(
            reverse("admin:helpline_retentionpolicy_change", args=[policy.pk])
        )


@admin.register(FloodSwitch)
class FloodSwitchAdmin(RetentionPolicyAdmin):
    """One row: how much work or waiting the flood switch asks; supervisors turn it on."""

    fields = ["bits", "wait_seconds", "on", "changed_at", "changed_by"]
    readonly_fields = ["on", "changed_at", "changed_by"]

    def changelist_view(self, request, extra_context=None):
        from django.http import HttpResponseRedirect
        from django.urls import reverse

        switch = FloodSwitch.saved()
        return HttpResponseRedirect(reverse("admin:helpline_floodswitch_change", args=[switch.pk]))

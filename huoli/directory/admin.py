from django.contrib import admin, messages
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from huoli.directory.forms import ServiceForm
from huoli.directory.models import Service


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    """Administrators keep the directory. Services are retired ("in use" off), not deleted:
    referrals on old records point at them."""

    form = ServiceForm
    list_display = [
        "name_fi", "category", "municipality", "public", "active", "last_verified",
        "verify_before_use",
    ]  # fmt: skip
    list_filter = ["category", "municipality", "public", "active", "verify_before_use"]
    search_fields = ["key", "name_fi", "name_sv", "name_en"]
    actions = ["mark_verified"]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if isinstance(db_field, models.URLField):
            kwargs.setdefault("assume_scheme", "https")
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Mark the selected services as verified today"))
    def mark_verified(self, request, queryset):
        count = queryset.update(last_verified=timezone.localdate(), verify_before_use=False)
        self.message_user(
            request,
            _("%(count)s services marked as verified.") % {"count": count},
            messages.SUCCESS,
        )

"""An admin page for a model that has exactly one row (settings such as the retention periods
and the flood switch): the row is made on first use by ``Model.saved()``, never added or
deleted in the admin, and the list opens it."""

from django.contrib import admin
from django.http import HttpResponseRedirect
from django.urls import reverse


class OneRowAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False  # the one row is made on first use; the list opens it

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        row = self.model.saved()
        opts = self.opts
        name = f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_change"
        return HttpResponseRedirect(reverse(name, args=[row.pk]))

from django.contrib import admin

from huoli.contacts.models import ListEntry


@admin.register(ListEntry)
class ListEntryAdmin(admin.ModelAdmin):
    """Administrators keep the lists: add, rename, reorder, retire, translate. Entries are
    never deleted (old records and statistics keep pointing at them); retire them instead."""

    list_display = ["code", "kind", "name_fi", "name_sv", "name_en", "position", "active"]
    list_editable = ["name_fi", "name_sv", "name_en", "position", "active"]
    list_filter = ["kind", "active"]
    search_fields = ["code", "name_fi", "name_sv", "name_en"]
    ordering = ["kind", "position", "pk"]

    def get_readonly_fields(self, request, obj=None):
        # The code is what statistics group by; fixed once the entry exists.
        return ["code", "kind"] if obj is not None else []

    def has_delete_permission(self, request, obj=None):
        return False

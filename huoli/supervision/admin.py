from django.contrib import admin

from huoli.supervision.models import ReviewCriterion


@admin.register(ReviewCriterion)
class ReviewCriterionAdmin(admin.ModelAdmin):
    """Administrators keep the review criteria: add, rename, reorder, retire, translate.
    Criteria are never deleted (old reviews point at them); retire them instead."""

    list_display = ["code", "name_fi", "name_sv", "name_en", "position", "active"]
    list_editable = ["name_fi", "name_sv", "name_en", "position", "active"]
    list_filter = ["active"]
    search_fields = ["code", "name_fi", "name_sv", "name_en"]

    def get_readonly_fields(self, request, obj=None):
        return ["code"] if obj is not None else []

    def has_delete_permission(self, request, obj=None):
        return False

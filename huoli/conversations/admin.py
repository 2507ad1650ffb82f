from django.contrib import admin

from huoli.conversations.models import CannedResponse


@admin.register(CannedResponse)
class CannedResponseAdmin(admin.ModelAdmin):
    list_display = ["title", "order", "active"]
    list_editable = ["order", "active"]
    list_filter = ["active"]

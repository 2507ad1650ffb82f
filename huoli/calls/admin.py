from django.contrib import admin

from huoli.calls.models import CallLine
from huoli.core.admin_one_row import OneRowAdmin


@admin.register(CallLine)
class CallLineAdmin(OneRowAdmin):
    """One row: how long a caller may wait before being told to try again later."""

    fields = ["wait_limit_minutes"]

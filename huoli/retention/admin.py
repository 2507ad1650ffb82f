from django.contrib import admin

from huoli.core.admin_one_row import OneRowAdmin
from huoli.retention.models import RetentionPolicy


@admin.register(RetentionPolicy)
class RetentionPolicyAdmin(OneRowAdmin):
    """One row: how long each kind of data is kept, within the bounds of the model."""

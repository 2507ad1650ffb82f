from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _

from huoli.accounts.models import CounsellorProfile, User
from huoli.accounts.services import staff_unlock

# Roles, not groups, decide what staff may do (core.policy).
admin.site.unregister(Group)


class CounsellorProfileInline(admin.StackedInline):
    model = CounsellorProfile
    can_delete = False
    extra = 0
    # The desk phone's credential is made on the counsellor's profile page, never shown.
    exclude = ["desk_phone_ha1"]
    readonly_fields = ["desk_phone_set_at"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "first_name", "last_name", "role", "is_active", "locked_until"]
    list_filter = ["role", "is_active", "is_demo"]
    readonly_fields = ["is_demo", "failed_login_count", "locked_until", "last_login", "date_joined"]
    inlines = [CounsellorProfileInline]
    actions = ["unlock_accounts"]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        (_("Person"), {"fields": ["first_name", "last_name", "email"]}),
        (_("Role"), {"fields": ["role", "is_active", "is_demo"]}),
        (
            _("Login"),
            {"fields": ["failed_login_count", "locked_until", "last_login", "date_joined"]},
        ),
    ]
    add_fieldsets = [
        (None, {"fields": ["username", "role", "password1", "password2"]}),
    ]

    @admin.action(description=_("Unlock the selected accounts"))
    def unlock_accounts(self, request, queryset):
        for user in queryset:
            staff_unlock(actor=request.user, user=user)
        self.message_user(request, _("Accounts unlocked."), messages.SUCCESS)

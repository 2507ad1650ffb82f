from urllib.parse import urlencode

from django.contrib.admin import AdminSite, ModelAdmin
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from huoli.accounts.twofactor import two_factor_satisfied
from huoli.core.admin_audit import AuditedAdminMixin
from huoli.core.policy import user_has_permission


class HuoliAdminSite(AdminSite):
    site_header = _("Huoli administration")
    site_title = _("Huoli administration")
    index_title = _("Administration")
    site_url = "/console/"

    def has_permission(self, request):
        user = request.user
        return user_has_permission(user, "admin.site") and two_factor_satisfied(user)

    def register(self, model_or_iterable, admin_class=None, **options):
        """Every admin page, ours and third-party (django-otp's devices), writes its
        changes to the audit log (``core.admin_audit``)."""
        admin_class = admin_class or ModelAdmin
        if not issubclass(admin_class, AuditedAdminMixin):
            admin_class = type(
                admin_class.__name__,
                (AuditedAdminMixin, admin_class),
                {"__module__": admin_class.__module__, "__doc__": admin_class.__doc__},
            )
        super().register(model_or_iterable, admin_class, **options)

    def logout(self, request, extra_context=None):
        from huoli.console.views import logout_view

        return logout_view(request)

    def login(self, request, extra_context=None):
        """One login for all staff: the console's, with two-factor."""
        target = request.GET.get("next") or reverse("admin:index")
        return HttpResponseRedirect(f"{reverse('console:login')}?{urlencode({'next': target})}")

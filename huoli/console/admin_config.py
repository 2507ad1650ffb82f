from django.contrib.admin.apps import AdminConfig


class HuoliAdminConfig(AdminConfig):
    """The Django admin, served under /console/admin/ for administrators with two-factor."""

    default_site = "huoli.console.admin_site.HuoliAdminSite"

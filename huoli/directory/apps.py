from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DirectoryConfig(AppConfig):
    name = "huoli.directory"
    label = "directory"
    verbose_name = _("Service directory")

    def ready(self):
        from django.utils import timezone

        from huoli.core.seeding import seed_after_migrate
        from huoli.directory.defaults import seed_default_services

        seed_after_migrate(
            self, "Service", lambda service: seed_default_services(service, timezone.localdate())
        )

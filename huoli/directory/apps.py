from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class DirectoryConfig(AppConfig):
    name = "huoli.directory"
    label = "directory"
    verbose_name = _("Service directory")

    def ready(self):
        post_migrate.connect(_seed_after_migrate, sender=self)


def _seed_after_migrate(sender, apps=None, **kwargs):
    """Also after ``flush`` (which emits post_migrate), as for the contact record lists.
    Uses the migrated state's model, so nothing happens when the app is migrated away."""
    from django.utils import timezone

    from huoli.directory.defaults import seed_default_services

    # ``flush`` sends the signal without the migration state: then the current models.
    apps = apps or sender.apps
    try:
        service = apps.get_model("directory", "Service")
    except LookupError:
        return
    seed_default_services(service, timezone.localdate())

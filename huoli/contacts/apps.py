from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class ContactsConfig(AppConfig):
    name = "huoli.contacts"
    label = "contacts"
    verbose_name = _("Contact records")

    def ready(self):
        post_migrate.connect(_seed_after_migrate, sender=self)


def _seed_after_migrate(sender, apps=None, using="default", **kwargs):
    """Also after ``flush`` (which emits post_migrate): the lists are part of the schema.
    Uses the migrated state's model, so nothing happens when the app is migrated away."""
    from huoli.contacts.defaults import seed_default_lists

    # ``flush`` sends the signal without the migration state: then the current models.
    apps = apps or sender.apps
    try:
        list_entry = apps.get_model("contacts", "ListEntry")
    except LookupError:
        return
    seed_default_lists(list_entry.objects.db_manager(using).model)

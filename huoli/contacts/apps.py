from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class ContactsConfig(AppConfig):
    name = "huoli.contacts"
    label = "contacts"
    verbose_name = _("Contact records")

    def ready(self):
        post_migrate.connect(_seed_after_migrate, sender=self)


def _seed_after_migrate(sender, using="default", **kwargs):
    """Also after ``flush`` (which emits post_migrate): the lists are part of the schema."""
    from huoli.contacts.defaults import seed_default_lists
    from huoli.contacts.models import ListEntry

    seed_default_lists(ListEntry.objects.db_manager(using).model)

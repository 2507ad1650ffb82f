from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContactsConfig(AppConfig):
    name = "huoli.contacts"
    label = "contacts"
    verbose_name = _("Contact records")

    def ready(self):
        from huoli.contacts.defaults import seed_default_lists
        from huoli.core.seeding import seed_after_migrate

        seed_after_migrate(self, "ListEntry", seed_default_lists)

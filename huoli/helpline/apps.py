from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HelplineConfig(AppConfig):
    name = "huoli.helpline"
    label = "helpline"
    verbose_name = _("Helpline")

    def ready(self):
        from huoli.core.seeding import seed_after_migrate
        from huoli.helpline.info_defaults import seed_info_pages

        seed_after_migrate(self, "InfoPage", seed_info_pages)

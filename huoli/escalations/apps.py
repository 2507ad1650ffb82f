from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EscalationsConfig(AppConfig):
    name = "huoli.escalations"
    label = "escalations"
    # The model's plural (an existing translation); the app is not in the admin's menu.
    verbose_name = _("escalations")

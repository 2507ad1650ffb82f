from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "huoli.supervision"
    label = "supervision"
    verbose_name = _("Shifts and supervision")

    def ready(self):
        from huoli.core.seeding import seed_after_migrate
        from huoli.supervision.defaults import seed_review_criteria

        seed_after_migrate(self, "ReviewCriterion", seed_review_criteria)

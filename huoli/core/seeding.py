"""Default rows that belong with an app's schema (the record lists, the service directory):
seeded by a data migration and again after every ``flush``, which emits post_migrate
(decision 0009). The seed functions add only what is missing."""

from __future__ import annotations

from collections.abc import Callable

from django.db.models.signals import post_migrate


def seed_after_migrate(app_config, model_name: str, seed: Callable) -> None:
    """Call ``seed(model)`` after each migrate or flush of ``app_config``, with the migrated
    state's model, so nothing happens when the app has been migrated away."""

    def handler(sender, apps=None, **kwargs):
        # ``flush`` sends the signal without the migration state: then the current models.
        try:
            model = (apps or sender.apps).get_model(app_config.label, model_name)
        except LookupError:
            return
        seed(model)

    post_migrate.connect(
        handler, sender=app_config, weak=False, dispatch_uid=f"huoli-seed-{app_config.label}"
    )

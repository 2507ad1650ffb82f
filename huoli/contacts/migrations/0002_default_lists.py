"""The default lists from docs/domain.md (huoli/contacts/defaults.py)."""

from django.db import migrations


def seed(apps, schema_editor):
    from huoli.contacts.defaults import seed_default_lists

    seed_default_lists(apps.get_model("contacts", "ListEntry"))


class Migration(migrations.Migration):
    dependencies = [("contacts", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]

"""The Helsinki defaults (huoli/directory/defaults.py)."""

from django.db import migrations
from django.utils import timezone


def seed(apps, schema_editor):
    from huoli.directory.defaults import seed_default_services

    seed_default_services(apps.get_model("directory", "Service"), timezone.localdate())


class Migration(migrations.Migration):
    dependencies = [("directory", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]

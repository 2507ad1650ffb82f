"""The default review criteria (huoli/supervision/defaults.py)."""

from django.db import migrations


def seed(apps, schema_editor):
    from huoli.supervision.defaults import seed_review_criteria

    seed_review_criteria(apps.get_model("supervision", "ReviewCriterion"))


class Migration(migrations.Migration):
    dependencies = [("supervision", "0003_reviews")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]

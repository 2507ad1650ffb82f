"""Database triggers that refuse UPDATE and DELETE on the audit log (see core.db_guards)."""

from django.db import migrations

from huoli.core import db_guards


def _run(statements):
    def run(apps, schema_editor):
        for statement in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [
        migrations.RunPython(_run(db_guards.CREATE_V1), _run(db_guards.DROP_V1)),
    ]

# Escalations moved to their own app (decision 0025): the model leaves this app's state only;
# its table ``cases_escalation`` and its rows stay, now owned by ``escalations``.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0004_callback_and_audit_retention'),
        ('escalations', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(
                    name='Escalation',
                ),
            ],
            database_operations=[],
        ),
    ]

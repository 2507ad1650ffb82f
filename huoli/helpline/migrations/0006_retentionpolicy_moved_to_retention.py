# RetentionPolicy now belongs to the retention app (decision 0026). Only the state moves:
# the table helpline_retentionpolicy and its row stay where they are.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('helpline', '0005_info_pages'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(
                    name='RetentionPolicy',
                ),
            ],
            database_operations=[],
        ),
    ]

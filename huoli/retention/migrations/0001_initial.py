# RetentionPolicy moves here from helpline (decision 0026): the model enters this app's state
# on the table helpline.0002 made, which keeps its name and its row. Its content type follows,
# so the admin's history of the row and any permissions on it stay attached.

import django.core.validators
from django.db import migrations, models


def content_type_to(app_label, old_label):
    def move(apps, schema_editor):
        content_types = apps.get_model('contenttypes', 'ContentType').objects.db_manager(
            schema_editor.connection.alias
        )
        if content_types.filter(app_label=app_label, model='retentionpolicy').exists():
            return
        content_types.filter(app_label=old_label, model='retentionpolicy').update(
            app_label=app_label
        )

    return move


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('helpline', '0006_retentionpolicy_moved_to_retention'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='RetentionPolicy',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('message_days', models.PositiveIntegerField(default=90, validators=[django.core.validators.MinValueValidator(7), django.core.validators.MaxValueValidator(730)], verbose_name='conversation messages, days after the last activity')),
                        ('return_code_days', models.PositiveIntegerField(default=90, validators=[django.core.validators.MinValueValidator(7), django.core.validators.MaxValueValidator(365)], verbose_name='return codes, days of inactivity before they stop working')),
                        ('notes_days', models.PositiveIntegerField(default=730, validators=[django.core.validators.MinValueValidator(90), django.core.validators.MaxValueValidator(3650)], verbose_name='counsellor notes and summaries, days after the case closes')),
                        ('escalation_days', models.PositiveIntegerField(default=365, validators=[django.core.validators.MinValueValidator(30), django.core.validators.MaxValueValidator(3650)], verbose_name='escalation assessments and reasons, days after the decision')),
                        ('feedback_days', models.PositiveIntegerField(default=730, validators=[django.core.validators.MinValueValidator(30), django.core.validators.MaxValueValidator(3650)], verbose_name='feedback answers, days')),
                        ('callback_days', models.PositiveIntegerField(default=30, validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(365)], verbose_name='call-back numbers kept for an escalation, days after the decision')),
                        ('audit_days', models.PositiveIntegerField(default=1825, validators=[django.core.validators.MinValueValidator(365), django.core.validators.MaxValueValidator(3650)], verbose_name='audit log entries, days')),
                    ],
                    options={
                        'verbose_name': 'retention periods',
                        'verbose_name_plural': 'retention periods',
                        'db_table': 'helpline_retentionpolicy',
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(
            content_type_to('retention', 'helpline'), content_type_to('helpline', 'retention')
        ),
    ]

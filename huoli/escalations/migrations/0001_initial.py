# Escalations move here from ``cases`` (decision 0025). The table ``cases_escalation`` and
# its rows stay as they are: this app takes the model into its state only, and the model's
# content type (with any permission on it) is renamed, not made anew.

import django.db.models.deletion
import django.utils.timezone
import huoli.core.fields
from django.conf import settings
from django.db import migrations, models


def _rename_content_type(apps, schema_editor, old, new):
    content_type = apps.get_model("contenttypes", "ContentType")
    using = schema_editor.connection.alias
    if not content_type.objects.using(using).filter(app_label=new, model="escalation").exists():
        content_type.objects.using(using).filter(app_label=old, model="escalation").update(
            app_label=new
        )


def content_type_forwards(apps, schema_editor):
    _rename_content_type(apps, schema_editor, "cases", "escalations")


def content_type_backwards(apps, schema_editor):
    _rename_content_type(apps, schema_editor, "escalations", "cases")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('cases', '0004_callback_and_audit_retention'),
        ('contacts', '0005_heard_from_detail_encrypted'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('conversations', '0006_purge_durations'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Escalation',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('status', models.CharField(choices=[('open', 'Waiting for a supervisor'), ('acknowledged', 'Supervisor consulted'), ('decided', 'Decided')], default='open', max_length=14, verbose_name='status')),
                        ('opened_at', models.DateTimeField(db_index=True, default=django.utils.timezone.now, verbose_name='opened')),
                        ('assessment', huoli.core.fields.EncryptedTextField(blank=True, default='', verbose_name='what was assessed')),
                        ('acknowledged_at', models.DateTimeField(blank=True, null=True, verbose_name='acknowledged')),
                        ('decision', models.CharField(blank=True, choices=[('emergency_112', 'Emergency number 112 advised'), ('child_welfare', 'Child-welfare notification'), ('police', 'Police informed'), ('no_action', 'No action')], max_length=16, verbose_name='decision')),
                        ('reason', huoli.core.fields.EncryptedTextField(blank=True, default='', verbose_name='reason for the decision')),
                        ('decided_at', models.DateTimeField(blank=True, null=True, verbose_name='decided')),
                        ('text_purged_at', models.DateTimeField(blank=True, null=True, verbose_name='text deleted')),
                        ('callback_number', huoli.core.fields.EncryptedTextField(blank=True, default='', help_text='Only when the escalation needs it. Deleted when its retention period after the decision has passed.', verbose_name='call-back number')),
                        ('callback_purged_at', models.DateTimeField(blank=True, null=True, verbose_name='call-back number deleted')),
                        ('conversation', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='escalations', to='conversations.conversation', verbose_name='conversation')),
                        ('decided_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='decided by')),
                        ('opened_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='escalations_opened', to=settings.AUTH_USER_MODEL, verbose_name='opened by')),
                        ('record', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='escalations', to='contacts.contactrecord', verbose_name='contact record')),
                        ('supervisor', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='escalations_consulted', to=settings.AUTH_USER_MODEL, verbose_name='supervisor consulted')),
                    ],
                    options={
                        'verbose_name': 'escalation',
                        'verbose_name_plural': 'escalations',
                        'db_table': 'cases_escalation',
                        'ordering': ['-opened_at'],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(content_type_forwards, content_type_backwards, elidable=False),
    ]

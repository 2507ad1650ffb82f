from django.db import migrations, models


def ended_chats_were_asked(apps, schema_editor):
    """Every ended chat's page asked the question before this field: not again."""
    Conversation = apps.get_model("conversations", "Conversation")
    Conversation.objects.filter(kind="chat", status="ended").update(feedback_asked=True)


class Migration(migrations.Migration):
    dependencies = [
        ("conversations", "0007_call_kind"),
    ]

    operations = [
        migrations.AddField(
            model_name="conversation",
            name="feedback_asked",
            field=models.BooleanField(default=False, editable=False),
        ),
        migrations.RunPython(ended_chats_were_asked, migrations.RunPython.noop, elidable=True),
    ]

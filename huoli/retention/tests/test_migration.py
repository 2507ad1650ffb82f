"""The retention periods moved from the helpline app to this one (decision 0026): a database
that has saved periods keeps them, in the same table, and the row's content type follows."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from huoli.retention.models import RetentionPolicy

BEFORE = [("helpline", "0005_info_pages"), ("retention", None)]
SAVED = {
    "message_days": 30,
    "return_code_days": 14,
    "notes_days": 400,
    "escalation_days": 200,
    "feedback_days": 60,
    "callback_days": 7,
    "audit_days": 900,
}


def migrate(targets=None):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets or executor.loader.graph.leaf_nodes())
    ContentType.objects.clear_cache()
    return executor


@pytest.mark.django_db(transaction=True)
def test_saved_periods_survive_the_move_between_apps():
    content_type = ContentType.objects.get_for_model(RetentionPolicy)
    executor = migrate(BEFORE)
    old_policy = executor.loader.project_state(BEFORE[:1]).apps.get_model(
        "helpline", "RetentionPolicy"
    )
    old_policy.objects.create(pk=1, **SAVED)
    assert ContentType.objects.get(pk=content_type.pk).app_label == "helpline"

    migrate()

    assert RetentionPolicy._meta.db_table == "helpline_retentionpolicy"
    policy = RetentionPolicy.current()
    assert policy.pk == 1 and RetentionPolicy.objects.count() == 1
    assert {name: getattr(policy, name) for name in SAVED} == SAVED
    assert ContentType.objects.get_for_model(RetentionPolicy).pk == content_type.pk
    assert not ContentType.objects.filter(app_label="helpline", model="retentionpolicy").exists()

"""Escalations moved from the ``cases`` app to their own app (decision 0025): the table,
its rows and their encrypted texts stay as they were."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from huoli.accounts.tests.factories import StaffFactory
from huoli.core.roles import Role
from huoli.escalations.models import Escalation

# The last state with the model in ``cases``: the escalations app not yet applied.
BEFORE = [("cases", "0004_callback_and_audit_retention"), ("escalations", None)]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets or executor.loader.graph.leaf_nodes())
    return executor


@pytest.mark.django_db(transaction=True)
def test_rows_written_before_the_move_are_read_after_it():
    counsellor = StaffFactory(role=Role.COUNSELLOR)
    executor = _migrate(BEFORE)
    try:
        state = executor.loader.project_state(BEFORE[0])
        assert ("escalations", "escalation") not in state.models
        old_model = state.apps.get_model("cases", "Escalation")
        ContentType.objects.get_or_create(app_label="cases", model="escalation")
        old = old_model.objects.create(
            opened_by_id=counsellor.pk,
            assessment="Uhkaus koululle",
            reason="Välitön vaara",
            callback_number="040 123 4567",
            status="decided",
            decision="police",
        )
    finally:
        _migrate(None)

    moved = Escalation.objects.get(pk=old.pk)
    assert Escalation._meta.db_table == "cases_escalation"
    assert (moved.assessment, moved.reason, moved.callback_number) == (
        "Uhkaus koululle",
        "Välitön vaara",
        "040 123 4567",
    )
    assert (moved.status, moved.decision, moved.opened_by) == ("decided", "police", counsellor)
    # The content type (and any permission on it) moved with the model.
    assert ContentType.objects.get_for_model(Escalation).app_label == "escalations"
    assert not ContentType.objects.filter(app_label="cases", model="escalation").exists()

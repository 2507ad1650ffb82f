"""Canned responses' Finnish, Swedish and English columns became one text per language
(``CannedText``): a database with responses keeps every text, and going back restores the
columns."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("conversations", "0010_staff_note")]
AFTER = [("conversations", "0012_canned_response_columns_removed")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_existing_texts_move_to_one_row_per_language_and_back():
    try:
        old = migrate(BEFORE)
        response = old.get_model("conversations", "CannedResponse").objects.create(
            title="Greeting", text_fi="Hei", text_sv="Hej", text_en="  ", order=3
        )
        only_finnish = old.get_model("conversations", "CannedResponse").objects.create(
            title="Finnish", text_fi="Vain suomeksi", active=False
        )

        new = migrate(AFTER)
        texts = new.get_model("conversations", "CannedText").objects
        assert dict(texts.filter(response_id=response.pk).values_list("language", "text")) == {
            "fi": "Hei",
            "sv": "Hej",
        }
        assert list(texts.filter(response_id=only_finnish.pk).values_list("language", "text")) == [
            ("fi", "Vain suomeksi")
        ]
        kept = new.get_model("conversations", "CannedResponse").objects.get(pk=response.pk)
        assert (kept.title, kept.order, kept.active) == ("Greeting", 3, True)

        texts.create(response_id=only_finnish.pk, language="ar", text="بالعربية")
        back = migrate(BEFORE)
        rows = back.get_model("conversations", "CannedResponse").objects
        assert (rows.get(pk=response.pk).text_fi, rows.get(pk=response.pk).text_sv) == (
            "Hei",
            "Hej",
        )
        assert rows.get(pk=only_finnish.pk).text_fi == "Vain suomeksi"
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())

"""Django's ``flush`` (empty every table), which must lift the audit log's guard to do so.

Test cases with real transactions call it between tests; an operator who wipes the whole
database wipes the audit log with it, as the command says.
"""

from django.core.management.commands.flush import Command as DjangoFlushCommand
from django.db import DEFAULT_DB_ALIAS, connections, transaction

from huoli.core.db_guards import LIFT, RESTORE, execute_for_vendor


class Command(DjangoFlushCommand):
    def handle(self, **options):
        connection = connections[options.get("database") or DEFAULT_DB_ALIAS]
        tables = connection.introspection.table_names()
        if "core_auditentry" not in tables:
            return super().handle(**options)
        with transaction.atomic(using=connection.alias):
            with connection.cursor() as cursor:
                execute_for_vendor(cursor, connection.vendor, LIFT)
            try:
                return super().handle(**options)
            finally:
                with connection.cursor() as cursor:
                    execute_for_vendor(cursor, connection.vendor, RESTORE)

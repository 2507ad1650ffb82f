from django.core.management.base import BaseCommand, CommandError

from huoli.core.audit import audit_verify


class Command(BaseCommand):
    help = "Check the audit log's hash chain; exits non-zero if any entry was edited or deleted."

    def handle(self, *args, **options):
        result = audit_verify()
        for problem in result.problems:
            self.stderr.write(f"entry {problem.seq}: {problem.message}")
        if not result.ok:
            raise CommandError(
                f"The audit log has been tampered with: {len(result.problems)} problems "
                f"in {result.count} entries."
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"The audit log is intact: {result.count} entries. Head hash {result.head_hash} "
                "(keep it outside the database to detect deletion of the newest entries)."
            )
        )

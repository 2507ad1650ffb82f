from django.core.management.base import BaseCommand

from huoli.retention.services import callbacks_due_closed, purge


class Command(BaseCommand):
    help = (
        "Delete what the retention periods say is due (in batches; safe to interrupt and run "
        "again). Run it daily: cron or a systemd timer in production. With --call-backs, only "
        "close the call-back requests whose times are over (deleting their numbers): run that "
        "every five minutes."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--call-backs",
            action="store_true",
            help="only close the call-back requests that are due",
        )

    def handle(self, *args, **options):
        only_callbacks = options["call_backs"]
        counts = {"callback_requests": callbacks_due_closed()} if only_callbacks else purge()
        for kind, count in counts.items():
            self.stdout.write(f"{kind}: {count}")

from datetime import timedelta

from django.core.management.base import BaseCommand
from django.utils import timezone

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
        if options["call_backs"]:
            # Run every five minutes: the consoles hear of the windows opened since the last.
            since = timezone.now() - timedelta(minutes=5)
            counts = {"callback_requests": callbacks_due_closed(opened_since=since)}
        else:
            counts = purge()
        for kind, count in counts.items():
            self.stdout.write(f"{kind}: {count}")

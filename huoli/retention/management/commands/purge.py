from django.core.management.base import BaseCommand

from huoli.retention.services import purge


class Command(BaseCommand):
    help = (
        "Delete what the retention periods say is due (in batches; safe to interrupt and run "
        "again). Run it daily: cron or a systemd timer in production."
    )

    def handle(self, *args, **options):
        counts = purge()
        for kind, count in counts.items():
            self.stdout.write(f"{kind}: {count}")

from django.core.management.base import BaseCommand

from huoli.core.reencryption import reencrypt_all


class Command(BaseCommand):
    help = (
        "Re-encrypt every encrypted column under the newest data key, each value bound to "
        "its row. Add a key first with "
        "`python -m huoli.keys --add-data-key`; remove old keys only after this finishes."
    )

    def handle(self, *args, **options):
        def progress(report):
            self.stdout.write(f"  {report.label}: {report.rows} rows read", ending="\r")

        reports = reencrypt_all(progress=progress if options["verbosity"] > 1 else None)
        total = 0
        for report in reports:
            total += report.reencrypted
            meanwhile = (
                f" ({report.changed_meanwhile} edited meanwhile, left as edited)"
                if report.changed_meanwhile
                else ""
            )
            self.stdout.write(
                f"{report.label}: {report.reencrypted} of {report.rows} values re-encrypted"
                + meanwhile
            )
        self.stdout.write(self.style.SUCCESS(f"Done: {total} values now under the newest key."))

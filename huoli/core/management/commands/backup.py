"""``manage.py backup``: an encrypted backup of the database and the keys (core.backup)."""

from __future__ import annotations

import getpass
import os
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from huoli import keys
from huoli.core.backup import BackupError, backup_write, passphrase_check


def read_passphrase(options, *, confirm: bool) -> str:
    """From --passphrase-file, HUOLI_BACKUP_PASSPHRASE, or asked at the terminal."""
    if options.get("passphrase_file"):
        return Path(options["passphrase_file"]).read_text().strip()
    if os.environ.get("HUOLI_BACKUP_PASSPHRASE"):
        return os.environ["HUOLI_BACKUP_PASSPHRASE"]
    try:
        passphrase = getpass.getpass("Backup passphrase: ")
        if confirm:
            passphrase_check(passphrase)
            if getpass.getpass("The same passphrase again: ") != passphrase:
                raise CommandError("The two passphrases differ. Nothing was written.")
    except EOFError as error:
        raise CommandError(
            "No passphrase: give --passphrase-file or set HUOLI_BACKUP_PASSPHRASE when there "
            "is no terminal to ask at."
        ) from error
    except BackupError as error:
        raise CommandError(str(error)) from error
    return passphrase


class Command(BaseCommand):
    help = (
        "Write an encrypted backup of the whole database and the keys. The passphrase comes "
        "from --passphrase-file, HUOLI_BACKUP_PASSPHRASE or the terminal; keep it away from "
        "the server and the backups."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            help="Where to write it (default: var/backups/huoli-<date>-<time>.backup).",
        )
        parser.add_argument("--passphrase-file", help="A file whose first line is the passphrase.")

    def handle(self, *args, **options):
        output = options["output"] or (
            keys.VAR_DIR / "backups" / timezone.now().strftime("huoli-%Y%m%d-%H%M%S.backup")
        )
        try:
            summary = backup_write(Path(output), read_passphrase(options, confirm=True))
        except BackupError as error:
            raise CommandError(str(error)) from error
        rows = sum(summary.counts.values())
        self.stdout.write(
            self.style.SUCCESS(
                f"Wrote {summary.path} ({summary.size:,} bytes, {rows:,} rows, encrypted). "
                "Test it now and then with `manage.py restore --check`."
            )
        )

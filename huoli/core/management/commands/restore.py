"""``manage.py restore``: replace the database and the keys with an encrypted backup."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from huoli import keys
from huoli.core.backup import BackupError, backup_read, restore
from huoli.core.management.commands.backup import read_passphrase


class Command(BaseCommand):
    help = (
        "Restore a backup written by `manage.py backup`: the whole database is replaced and "
        "the backup's keys are put in var/ (the files they replace are kept beside them). "
        "Stop the server first and start it again afterwards."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="The backup file.")
        parser.add_argument("--passphrase-file", help="A file whose first line is the passphrase.")
        parser.add_argument(
            "--check",
            action="store_true",
            help="Only decrypt and check the whole file; change nothing.",
        )
        parser.add_argument(
            "--print-keys",
            action="store_true",
            help="Print the backup's keys (to set them in the environment); change nothing.",
        )
        parser.add_argument(
            "--yes", action="store_true", help="Do not ask before replacing the database."
        )
        parser.add_argument("--keys-dir", default=str(keys.VAR_DIR), help=argparse_hide())

    def handle(self, *args, **options):
        path = Path(options["path"])
        if not path.exists():
            raise CommandError(f"There is no file {path}.")
        passphrase = read_passphrase(options, confirm=False)
        try:
            if options["check"] or options["print_keys"]:
                manifest, data = backup_read(path, passphrase)
                if options["print_keys"]:
                    backup_keys = manifest["keys"]
                    self.stdout.write(f"HUOLI_SECRET_KEY={backup_keys['secret_key']}")
                    self.stdout.write(f"HUOLI_DATA_KEYS={','.join(backup_keys['data_keys'])}")
                    self.stdout.write(
                        f"HUOLI_RETURN_CODE_PEPPER={backup_keys['return_code_pepper']}"
                    )
                    return
                rows = len(json.loads(data))
                self.stdout.write(
                    self.style.SUCCESS(
                        f"The backup is intact: written {manifest['created_at']} from "
                        f"{manifest['vendor']}, {rows:,} rows."
                    )
                )
                return
            if (
                not options["yes"]
                and input(
                    "This replaces everything in the database with the backup. Type 'restore' to "
                    "go on: "
                ).strip()
                != "restore"
            ):
                raise CommandError("Nothing was changed.")
            summary = restore(path, passphrase, keys_dir=Path(options["keys_dir"]))
        except BackupError as error:
            raise CommandError(str(error)) from error
        rows = sum(summary.counts.values())
        self.stdout.write(self.style.SUCCESS(f"Restored {rows:,} rows."))
        for written in summary.keys_changed:
            self.stdout.write(f"Key file written from the backup: {written}")
        if not summary.audit_ok:
            self.stderr.write("The restored audit log does not verify: run `verify_audit`.")
        self.stdout.write("Start the server again so that it reads the restored keys.")


def argparse_hide():
    import argparse

    return argparse.SUPPRESS

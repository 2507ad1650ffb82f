import getpass
import sys

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from huoli.accounts.models import User
from huoli.accounts.services import AccountError, staff_user_create
from huoli.core.roles import Role


class Command(BaseCommand):
    help = (
        "Create a staff account (for example the first administrator). The password is asked "
        "for, or read from standard input with --password-stdin. Two-factor login is set up "
        "at the first login."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", choices=Role.values, required=True)
        parser.add_argument("--first-name", default="")
        parser.add_argument("--password-stdin", action="store_true")

    def handle(self, *args, username, role, first_name, password_stdin, **options):
        if User.objects.filter(username=username).exists():
            raise CommandError(f"A staff account named {username!r} already exists.")
        if password_stdin:
            password = sys.stdin.readline().rstrip("\n")
        else:
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password again: "):
                raise CommandError("The passwords do not match.")
        try:
            validate_password(password, User(username=username, first_name=first_name))
            staff_user_create(
                username=username, password=password, role=role, first_name=first_name
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        except AccountError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Created {username} ({Role(role).label}).")

import datetime as dt

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from huoli.accounts.models import User
from huoli.accounts.roles import Role
from huoli.accounts.services import staff_user_create
from huoli.helpline.models import OpeningHours

DEMO_PASSWORD = "demo-password"  # noqa: S105 (published on purpose: demo mode only)

DEMO_STAFF = [
    {"username": "counsellor", "role": Role.COUNSELLOR, "first_name": "Aino",
     "languages": ["fi", "en"], "max_chats": 3},
    {"username": "counsellor2", "role": Role.COUNSELLOR, "first_name": "Samira",
     "languages": ["fi", "sv", "ar"], "max_chats": 2},
    {"username": "supervisor", "role": Role.SUPERVISOR, "first_name": "Mikko",
     "languages": ["fi", "sv", "en"], "max_chats": 2},
    {"username": "admin", "role": Role.ADMINISTRATOR, "first_name": "Helena"},
    {"username": "analyst", "role": Role.ANALYST, "first_name": "Ville"},
]  # fmt: skip


class Command(BaseCommand):
    help = "Load the demo staff accounts (demo mode only; safe to run again)."
    # `--delete` must work where the production checks refuse to start because of demo data.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument(
            "--delete", action="store_true", help="Delete every demo account instead."
        )

    @transaction.atomic
    def handle(self, *args, delete=False, **options):
        if delete:
            count, _detail = User.objects.filter(is_demo=True).delete()
            self.stdout.write(f"Deleted {count} demo rows.")
            return
        if not settings.HUOLI_DEMO:
            raise CommandError(
                "Demo data is only loaded in demo mode (HUOLI_DEMO=1, never in production)."
            )
        created = []
        for spec in DEMO_STAFF:
            if User.objects.filter(username=spec["username"]).exists():
                continue
            staff_user_create(
                username=spec["username"],
                password=DEMO_PASSWORD,
                role=spec["role"],
                first_name=spec["first_name"],
                display_name=spec["first_name"],
                languages=spec.get("languages"),
                max_chats=spec.get("max_chats", 2),
                is_demo=True,
            )
            created.append(spec["username"])
        if not OpeningHours.objects.exists():
            # Open around the clock, so the chat can be tried at any hour.
            OpeningHours.objects.bulk_create(
                OpeningHours(weekday=day, opens=dt.time(0, 0), closes=dt.time(0, 0))
                for day in range(7)
            )
            self.stdout.write("Demo opening hours: the chat is open around the clock.")
        self.stdout.write(
            f"Demo data: {len(created)} accounts created, {len(DEMO_STAFF) - len(created)} "
            "already there."
        )
        self.stdout.write("Demo logins (password for all: demo-password):")
        for spec in DEMO_STAFF:
            self.stdout.write(f"  {spec['username']:<12} {spec['role'].value}")

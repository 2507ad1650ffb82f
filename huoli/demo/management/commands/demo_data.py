"""``manage.py demo_data``: the demo staff accounts, opening hours around the clock, canned
responses, a made-up line number for the public pages and, with ``--with-contacts``, made-up
contacts for the statistics, the chats and messages among them with their conversations (demo
mode only; ``make run``)."""

import datetime as dt
import random

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from huoli.accounts.models import User
from huoli.accounts.services import staff_user_create
from huoli.calls.models import CallLine
from huoli.cases.models import Case
from huoli.contacts.models import NON_COUNSELLING, ContactRecord, ListEntry
from huoli.contacts.services import case_create_for_record
from huoli.conversations.models import Conversation
from huoli.core.roles import Role
from huoli.demo.conversations import (
    OnDuty,
    demo_canned_responses,
    demo_canned_responses_delete,
    demo_conversation,
    pick_dialogue,
    speakers,
)
from huoli.directory.models import Referral, Service
from huoli.helpline.models import LineNumber
from huoli.helpline.services import opening_hours_around_the_clock
from huoli.outreach.models import Campaign, CampaignCount
from huoli.outreach.services import campaign_count
from huoli.reports.forms import last_full_quarter
from huoli.reports.models import PublishedQuarter
from huoli.reports.open_statistics import quarter_figures

DEMO_PASSWORD = "demo-password"  # noqa: S105 (published on purpose: demo mode only)

DEMO_LINE_NUMBER = "+35800000000"
# A partner's campaign code (issue 19): try /fi/?c=koulu.
DEMO_CAMPAIGN = {"code": "koulu", "name": "Schools in Helsinki"}
# The number the public pages print for every language (made up: 800 is a toll-free prefix,
# and no one answers 000 000).
DEMO_PUBLIC_NUMBER = "+358 800 000 000"
DEMO_STAFF = [
    {"username": "counsellor", "role": Role.COUNSELLOR, "first_name": "Aino",
     "languages": ["fi", "en"], "max_chats": 3, "takes_calls": True},
    {"username": "counsellor2", "role": Role.COUNSELLOR, "first_name": "Samira",
     "languages": ["fi", "sv", "ar"], "max_chats": 2, "takes_calls": True},
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
            "--delete",
            action="store_true",
            help="Delete every demo account instead (and the demo contacts, conversations, "
            "cases, canned responses and the demo line number).",
        )
        parser.add_argument(
            "--with-contacts",
            action="store_true",
            help="Also record made-up contacts of the last six months, so the statistics "
            "have something to show (once; `make run` does this).",
        )

    @transaction.atomic
    def handle(self, *args, delete=False, with_contacts=False, **options):
        if delete:
            ContactRecord.objects.filter(counsellor__is_demo=True).delete()
            Conversation.objects.filter(counsellor__is_demo=True).delete()
            demo_canned_responses_delete()
            LineNumber.objects.filter(number=DEMO_PUBLIC_NUMBER).delete()
            Case.objects.filter(created_by__is_demo=True).delete()
            CampaignCount.objects.filter(
                campaign__code=DEMO_CAMPAIGN["code"], campaign__name=DEMO_CAMPAIGN["name"]
            ).delete()
            Campaign.objects.filter(**DEMO_CAMPAIGN).delete()
            PublishedQuarter.objects.filter(published_by__is_demo=True).delete()
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
                takes_calls=spec.get("takes_calls", False),
                is_demo=True,
            )
            created.append(spec["username"])
        # Open around the clock, so the chat can be tried at any hour.
        if opening_hours_around_the_clock():
            self.stdout.write("Demo opening hours: the chat is open around the clock.")
        if demo_canned_responses():
            self.stdout.write("Demo canned responses in the staff languages, some in Arabic.")
        # The line's own number, which families a counsellor calls back see (made up: under
        # `make run-phone` call-backs go only to a SIP phone on this machine).
        line = CallLine.saved()
        if not line.number:
            line.number = DEMO_LINE_NUMBER
            line.save(update_fields=["number"])
        if Campaign.objects.get_or_create(
            code=DEMO_CAMPAIGN["code"], defaults={"name": DEMO_CAMPAIGN["name"]}
        )[1]:
            self.stdout.write(f"Demo campaign code: /fi/?c={DEMO_CAMPAIGN['code']}")
        if not LineNumber.objects.exists():
            LineNumber.objects.create(number=DEMO_PUBLIC_NUMBER, language="")
            self.stdout.write(f"Demo line number on every public page: {DEMO_PUBLIC_NUMBER}.")
        if with_contacts:
            made = demo_contacts()
            if made:
                self.stdout.write(
                    f"Demo contacts: {made} made-up contact records, the chats and messages "
                    "among them with their conversations."
                )
                year, quarter = demo_quarter_published()
                self.stdout.write(f"Open statistics: quarter {quarter} of {year} published.")
        self.stdout.write(
            f"Demo data: {len(created)} accounts created, {len(DEMO_STAFF) - len(created)} "
            "already there."
        )
        self.stdout.write("Demo logins (password for all: demo-password):")
        for spec in DEMO_STAFF:
            self.stdout.write(f"  {spec['username']:<12} {spec['role'].value}")


def demo_quarter_published() -> tuple[int, int]:
    """The last full quarter on the public statistics page, published by the demo
    administrator (``--delete`` takes it off with the accounts)."""
    year, quarter = last_full_quarter(timezone.localdate())
    PublishedQuarter.objects.get_or_create(
        year=year,
        quarter=quarter,
        defaults={
            "published_by": User.objects.filter(is_demo=True, role=Role.ADMINISTRATOR).first(),
            "figures": quarter_figures(year, quarter),
        },
    )
    return year, quarter


def demo_contacts(count: int = 150) -> int:
    """Made-up, completed contact records of the last six months by the demo counsellors,
    with a few cases and referrals: something for the statistics to show. Once only.

    Phone calls are logged by hand, as counsellors do; every chat and written message is a
    real conversation behind its record (``huoli.demo.conversations``): messages in the
    visitor's language, answered by a counsellor who speaks it, ended, the record completed."""
    counsellors = list(
        User.objects.filter(is_demo=True, role__in=[Role.COUNSELLOR, Role.SUPERVISOR])
    )
    if not counsellors or ContactRecord.objects.filter(counsellor__is_demo=True).exists():
        return 0
    rng = random.Random(2026)  # noqa: S311 - made-up figures, not secrets
    entries: dict[str, list] = {}
    for entry in ListEntry.objects.filter(active=True):
        entries.setdefault(entry.kind, []).append(entry)
    services = list(Service.objects.filter(active=True))
    counselling = [e for e in entries["contact_type"] if e.code != NON_COUNSELLING]
    # Which chats and messages came by the demo campaign's links: drawn apart, so the
    # contacts' own figures stay those of the seed above.
    by_campaign = random.Random(19)  # noqa: S311 - made-up figures, not secrets
    now = timezone.now()
    duty = OnDuty()
    for index in range(count):
        started = now - dt.timedelta(days=rng.uniform(0, 180), hours=rng.uniform(0, 8))
        channel = rng.choices(["phone", "chat", "message"], [6, 3, 1])[0]
        fields = {
            field_name: rng.choice(entries[kind])
            for field_name, kind in (
                ("contact_type", "contact_type"), ("contacting", "contacting"),
                ("age_band", "age_band"), ("gender", "gender"), ("municipality", "municipality"),
                ("stage", "stage"), ("heard_from", "heard_from"),
            )
        }  # fmt: skip
        concerns = rng.sample(entries["concern"], rng.choice([1, 1, 2]))
        actions = rng.sample(entries["action"], rng.choice([1, 2, 3]))
        if channel == "phone":
            record = ContactRecord(
                channel=channel,
                status=ContactRecord.Status.COMPLETE,
                counsellor=rng.choice(counsellors),
                started_at=started,
                ended_at=started + dt.timedelta(minutes=rng.randint(4, 50)),
                completed_at=started,
                language=rng.choices(["fi", "sv", "en", "ar", "so", "ru"], [12, 2, 2, 3, 1, 1])[0],
                risk_level=rng.choices([0, 1, 2, 3, 4], [15, 35, 30, 17, 3])[0],
                **fields,
            )
            record.save()
            record.concerns.set(concerns)
            record.actions.set(actions)
        else:
            # At least two days old, so a message exchange's answer is not in the future.
            started = min(started, now - dt.timedelta(days=2, hours=rng.uniform(0, 8)))
            dialogue = pick_dialogue(rng, channel)
            counsellor = rng.choice(speakers(counsellors, dialogue.language))
            duty.ensure(counsellor)
            fields["contact_type"] = rng.choice(counselling)
            fields["risk_level"] = rng.choices([0, 1, 2, 3], [15, 35, 30, 17])[0]
            record = demo_conversation(
                dialogue=dialogue, counsellor=counsellor, started=started, fields=fields,
                concerns=concerns, actions=actions, rng=rng,
            )  # fmt: skip
            if by_campaign.random() < 0.3:
                campaign_count(code=DEMO_CAMPAIGN["code"], when=started)
        if services and rng.random() < 0.2:
            service = rng.choice(services)
            Referral.objects.create(
                record=record, service=service, category=service.category,
                outcome=rng.choice(["made", "made", "declined"]), created_by=record.counsellor,
            )  # fmt: skip
        if index % 15 == 0:
            case_create_for_record(
                record=record, by=record.counsellor, title=f"Demo {index // 15 + 1}"
            )
    duty.restore()
    return count

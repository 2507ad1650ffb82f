from django.core.management.base import BaseCommand

from huoli.conversations.services.queue import waiting_chats_to_messages


class Command(BaseCommand):
    help = (
        "While chats are closed (the line closed, nobody on duty), turn every chat still "
        "waiting into a message answered later, and tell its visitor. Run it every minute: "
        "a systemd timer in production (huoli-queue.timer)."
    )

    def handle(self, *args, **options):
        self.stdout.write(f"waiting_chats_to_messages: {waiting_chats_to_messages()}")

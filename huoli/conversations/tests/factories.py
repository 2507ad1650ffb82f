"""Conversations for tests, started through ``conversation_start`` as a visitor's would be."""

from __future__ import annotations

from huoli.accounts.models import CounsellorProfile, User
from huoli.accounts.services import counsellor_profile_save
from huoli.accounts.tests.factories import StaffFactory
from huoli.conversations.services.queue import duty_set
from huoli.conversations.services.start import VisitorAccess, conversation_start
from huoli.core.roles import Role
from huoli.helpline.services import opening_hours_around_the_clock

STANDBY = "standby"


def chat_start(**kwargs) -> VisitorAccess:
    """A chat started while chats are open (decision 0027): the line open around the clock
    and, while nobody is on duty, a standby counsellor (who speaks no language) on duty
    only for the start, so the test's own duty, queue estimates and speakers stay as it set
    them."""
    opening_hours_around_the_clock()
    if CounsellorProfile.objects.filter(on_duty=True, user__is_active=True).exists():
        return conversation_start(kind="chat", **kwargs)
    standby = User.objects.filter(username=STANDBY).first()
    if standby is None:
        standby = StaffFactory(role=Role.COUNSELLOR, username=STANDBY)
        counsellor_profile_save(user=standby, display_name="Standby", languages=[], max_chats=1)
    duty_set(user=standby, on_duty=True)
    try:
        return conversation_start(kind="chat", **kwargs)
    finally:
        duty_set(user=standby, on_duty=False)

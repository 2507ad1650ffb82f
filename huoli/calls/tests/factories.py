"""Calls for tests, through the services Kamailio's questions reach."""

from __future__ import annotations

import secrets

from huoli.accounts.models import User
from huoli.accounts.services import counsellor_profile_save
from huoli.calls.services import RouteAnswer, call_route
from huoli.conversations.tests.factories import open_line_with_counsellor


def call_taker_on_duty(**staff) -> User:
    """The line open and a counsellor on duty who takes calls (``staff`` for StaffFactory,
    e.g. ``languages=["ar"]``)."""
    counsellor = open_line_with_counsellor(**staff)
    profile = counsellor.counsellor_profile
    counsellor_profile_save(
        user=counsellor,
        display_name=profile.display_name,
        languages=profile.languages,
        max_chats=profile.max_chats,
        takes_calls=True,
    )
    return counsellor


def phone_call(
    *, line: str = "fi", caller: str = "+358401234567", ref: str | None = None
) -> tuple[str, RouteAnswer]:
    """A call from the telephone network as Kamailio offers it: its SIP call id and the
    first answer."""
    ref = ref or f"{secrets.token_hex(8)}@127.0.0.2"
    return ref, call_route(call_ref=ref, line=line, source="trunk", caller=caller)

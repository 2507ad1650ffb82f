"""Calls for tests, through the services Kamailio's questions reach."""

from __future__ import annotations

import secrets
from datetime import timedelta

import time_machine

from huoli.accounts.models import User
from huoli.accounts.services import counsellor_profile_save
from huoli.calls.models import CallLine
from huoli.calls.selectors import sip_user
from huoli.calls.services import (
    RouteAnswer,
    call_answer,
    call_event,
    call_route,
    registration_note,
)
from huoli.conversations.tests.factories import open_line_with_counsellor


def call_taker_on_duty(*, registered: bool = True, **staff) -> User:
    """The line open and a counsellor on duty who takes calls (``staff`` for StaffFactory,
    e.g. ``languages=["ar"]``), their phone registered as Kamailio reports it (unless
    ``registered`` is False)."""
    counsellor = open_line_with_counsellor(**staff)
    profile = counsellor.counsellor_profile
    counsellor_profile_save(
        user=counsellor,
        display_name=profile.display_name,
        languages=profile.languages,
        max_chats=profile.max_chats,
        takes_calls=True,
    )
    if registered:
        registration_note(sip_name=sip_user(counsellor), expires=600)
    return counsellor


def phone_call(
    *, line: str = "fi", caller: str = "+358401234567", ref: str | None = None
) -> tuple[str, RouteAnswer]:
    """A call from the telephone network as Kamailio offers it: its SIP call id and the
    first answer."""
    ref = ref or f"{secrets.token_hex(8)}@127.0.0.2"
    return ref, call_route(call_ref=ref, line=line, source="trunk", caller=caller)


def call_at(
    moment,
    *,
    by: User | None = None,
    wait: float = 0,
    talk: float | None = None,
    ended: str = "ended",
    line: str = "fi",
) -> str:
    """A call from the telephone network offered at ``moment`` (time_machine), answered by
    ``by`` after ``wait`` seconds and ended after ``talk`` more; without ``by``, the caller
    hangs up after ``wait`` seconds (``ended="cancelled"``) or, with ``ended="timed_out"``,
    is asked about again after the line's longest wait. Returns the SIP call id."""
    with time_machine.travel(moment, tick=False):
        ref, first = phone_call(line=line)
    if by is not None:
        with time_machine.travel(moment + timedelta(seconds=wait), tick=False):
            call_answer(by=by, conversation_id=first.conversation_id)
        if talk is not None:
            with time_machine.travel(moment + timedelta(seconds=wait + talk), tick=False):
                call_event(call_ref=ref, event="ended")
    elif ended == "timed_out":
        limit = timedelta(minutes=CallLine.current().wait_limit_minutes, seconds=wait)
        with time_machine.travel(moment + limit, tick=False):
            call_route(call_ref=ref, line=line, source="trunk")
    else:
        with time_machine.travel(moment + timedelta(seconds=wait), tick=False):
            call_event(call_ref=ref, event=ended)
    return ref

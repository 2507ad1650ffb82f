"""Conversations for tests, built through the services: the line open with a counsellor on
duty, a started conversation, one taken by a counsellor, messages in it."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable

import factory
import time_machine
from django.utils import timezone

from huoli.accounts.models import CounsellorProfile, User
from huoli.accounts.services import counsellor_profile_save
from huoli.accounts.tests.factories import StaffFactory
from huoli.conversations.models import Conversation, Feedback, Message
from huoli.conversations.services.feedback import feedback_record
from huoli.conversations.services.messages import message_post
from huoli.conversations.services.queue import conversation_take, duty_set
from huoli.conversations.services.start import VisitorAccess, conversation_start
from huoli.core.roles import Role
from huoli.helpline.services import opening_hours_around_the_clock


def open_line_with_counsellor(*, counsellor: User | None = None, **staff) -> User:
    """The line open around the clock and a counsellor on duty: ``counsellor``, or a new one
    made by ``StaffFactory`` with ``staff`` (e.g. ``languages=["ar", "en"]``). Returns the
    counsellor. The ``counsellor_on_duty`` fixture is this with the defaults."""
    opening_hours_around_the_clock()
    if counsellor is None:
        counsellor = StaffFactory(role=Role.COUNSELLOR, **staff)
    duty_set(user=counsellor, on_duty=True)
    return counsellor


STANDBY = "standby"


def chat_start(**kwargs) -> VisitorAccess:
    """A chat started while chats are open (decision 0027): the line open around the clock
    and, while nobody is on duty, a standby counsellor (who speaks no language) on duty
    only for the start, so the test's own duty, queue estimates and speakers stay as it set
    them (and the chat waits, as no real chat does while nobody is on duty)."""
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
        # Off again without ``duty_set``, whose last counsellor off duty would turn the new
        # chat into a message: the chat waits as the test set it up.
        CounsellorProfile.objects.filter(user=standby).update(on_duty=False, on_duty_since=None)


class ConversationFactory(factory.Factory):
    """Starts a conversation through ``conversation_start`` (a chat through ``chat_start``, so
    the line's rules let it in); returns its ``VisitorAccess`` (the conversation, the
    browser's token and the return code)."""

    class Meta:
        model = dict

    kind = Conversation.Kind.CHAT
    language = "fi"
    nickname = ""
    first_message = factory.LazyAttribute(
        lambda o: "Hei" if o.kind == Conversation.Kind.MESSAGE else ""
    )
    interpreter_needed = False

    @classmethod
    def _create(cls, model_class, **kwargs):
        if kwargs["kind"] == Conversation.Kind.CHAT:
            del kwargs["kind"]
            return chat_start(**kwargs)
        return conversation_start(**kwargs)

    @classmethod
    def _build(cls, model_class, **kwargs):
        raise NotImplementedError("conversations are always started through the service")


def conversation_taken(*, conversation_id: int, counsellor: User) -> Conversation:
    """``counsellor`` goes on duty and takes the waiting conversation."""
    duty_set(user=counsellor, on_duty=True)
    return conversation_take(counsellor=counsellor, conversation_id=conversation_id)


def messages_posted(
    *, conversation: Conversation, messages: Iterable[tuple[str, str]], counsellor: User | None
) -> list[Message]:
    """Posts ``(sender, body)`` pairs in order through ``message_post``; the counsellor's
    are written by ``counsellor``."""
    posted = []
    for n, (sender, body) in enumerate(messages, start=conversation.messages.count() + 1):
        author = counsellor if sender == Message.Sender.COUNSELLOR else None
        message, _created = message_post(
            conversation=conversation,
            sender=sender,
            author=author,
            client_id=f"factory-{n}",
            body=body,
        )
        posted.append(message)
    return posted


def chat_taken(
    *, counsellor: User, messages: Iterable[tuple[str, str]] = (), **start
) -> VisitorAccess:
    """A conversation started (``start``: the fields of ``ConversationFactory``), taken by
    ``counsellor`` (who goes on duty), with ``messages`` posted as ``messages_posted`` does.
    The access returned holds the taken conversation."""
    access = ConversationFactory(**start)
    conversation = conversation_taken(conversation_id=access.conversation.pk, counsellor=counsellor)
    messages_posted(conversation=conversation, messages=messages, counsellor=counsellor)
    return dataclasses.replace(access, conversation=conversation)


def feedback_given(*, answer: str, day: dt.date) -> Feedback:
    """A visitor's answer to the feedback question, given at noon on ``day``."""
    noon = dt.datetime.combine(day, dt.time(12), tzinfo=timezone.get_current_timezone())
    with time_machine.travel(noon, tick=False):
        return feedback_record(answer=answer)

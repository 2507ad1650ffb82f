"""Reads about conversations, scoped by the policy; every staff read is audited."""

from __future__ import annotations

from django.db.models import QuerySet

from huoli.accounts.models import CounsellorProfile
from huoli.conversations.models import Conversation, Message
from huoli.core.audit import audit_record
from huoli.core.policy import (
    conversations_scope,
    get_or_404,
    instances_user_has_permission_for,
)


def access_conversation(user, conversation_id: int, *, purpose: str = "read") -> Conversation:
    """The conversation if the user may open it (else 404); the look goes to the audit log."""
    conversation = get_or_404(
        conversations_scope(user, Conversation.objects.select_related("counsellor")),
        pk=conversation_id,
    )
    audit_record(
        actor=user,
        action=f"conversation.{purpose}",
        object_type="conversation",
        object_id=conversation.pk,
    )
    return conversation


def messages_after(conversation: Conversation, seq: int) -> QuerySet[Message]:
    return conversation.messages.filter(seq__gt=seq).order_by("seq")


def queue_for(user) -> QuerySet[Conversation]:
    """Waiting chats and unanswered messages without a counsellor, oldest first."""
    return instances_user_has_permission_for(
        user,
        "counselling.work",
        Conversation.objects.filter(status=Conversation.Status.QUEUED).order_by("created_at"),
    )


def my_conversations(user) -> QuerySet[Conversation]:
    return Conversation.objects.filter(counsellor=user, status=Conversation.Status.ACTIVE).order_by(
        "-awaiting_reply", "created_at"
    )


def live_chats_for(user) -> QuerySet[Conversation]:
    return instances_user_has_permission_for(
        user,
        "counselling.supervise",
        Conversation.objects.filter(status=Conversation.Status.ACTIVE)
        .select_related("counsellor", "counsellor__counsellor_profile")
        .order_by("created_at"),
    )


def duty_list_for(user) -> QuerySet[CounsellorProfile]:
    return instances_user_has_permission_for(
        user,
        "counselling.supervise",
        CounsellorProfile.objects.filter(on_duty=True).order_by("display_name"),
    )


def counsellors_on_duty() -> int:
    return CounsellorProfile.objects.filter(on_duty=True, user__is_active=True).count()

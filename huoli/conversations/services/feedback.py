"""The feedback question after a chat: asked once per conversation, and the visitor's answer
(nothing ties the answer to the chat)."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from huoli.conversations.errors import ConversationError
from huoli.conversations.models import Conversation, Feedback


def feedback_ask(*, conversation: Conversation) -> bool:
    """Whether the question may be put now, for this ended chat: true once per conversation
    (the first page shown after the end), false ever after, whichever browser asks (a reload
    elsewhere, a return with the code). The caller remembers which browser it asked."""
    if (
        conversation.kind != Conversation.Kind.CHAT
        or conversation.status != Conversation.Status.ENDED
    ):
        return False
    return bool(
        Conversation.objects.filter(pk=conversation.pk, feedback_asked=False).update(
            feedback_asked=True
        )
    )


def feedback_record(*, answer: str) -> Feedback:
    if answer not in Feedback.Answer.values:
        raise ConversationError("answer_invalid", _("Choose one of the answers."))
    return Feedback.objects.create(answer=answer, day=timezone.localdate())

"""The visitor's answer to the feedback question after a chat (nothing ties it to the chat)."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from huoli.conversations.errors import ConversationError
from huoli.conversations.models import Feedback


def feedback_record(*, answer: str) -> Feedback:
    if answer not in Feedback.Answer.values:
        raise ConversationError("answer_invalid", _("Choose one of the answers."))
    return Feedback.objects.create(answer=answer, day=timezone.localdate())

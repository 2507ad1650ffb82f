"""Reviews for tests, built through the services: ended conversations of a counsellor at a
given time, a review started, rated and shared."""

from __future__ import annotations

import datetime as dt

import time_machine
from django.utils import timezone

from huoli.accounts.models import User
from huoli.conversations.models import Conversation
from huoli.conversations.services.queue import conversation_end
from huoli.conversations.tests.factories import chat_taken
from huoli.supervision.models import Review, ReviewCriterion, ReviewRating
from huoli.supervision.services.reviews import review_choose, review_save


def ended_conversation(
    *, counsellor: User, when: dt.datetime | None = None, kind: str = Conversation.Kind.CHAT
) -> Conversation:
    """A chat (or message, or call) taken by ``counsellor`` and ended at ``when`` (now)."""
    with time_machine.travel(when or timezone.now(), tick=False):
        access = chat_taken(counsellor=counsellor, kind=kind, messages=[("visitor", "Hei")])
        return conversation_end(
            conversation=access.conversation, ended_by="counsellor", by=counsellor
        )


def local(year: int, month: int, day: int, hour: int = 12) -> dt.datetime:
    return dt.datetime(year, month, day, hour, tzinfo=timezone.get_current_timezone())


def all_met() -> dict[int, str]:
    return {pk: ReviewRating.Rating.MET for pk in ReviewCriterion.objects.filter(active=True)
            .values_list("pk", flat=True)}  # fmt: skip


def review_shared(
    *, supervisor: User, conversation: Conversation, feedback: str = "Hyvin kuunneltu."
) -> Review:
    review = review_choose(by=supervisor, conversation_id=conversation.pk)
    return review_save(
        by=supervisor, review_id=review.pk, ratings=all_met(), feedback=feedback, share=True
    )

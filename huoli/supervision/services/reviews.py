"""Quality reviews of ended conversations (issue 18).

A supervisor chooses an ended conversation to review, or draws some at random among a
counsellor's conversations of one month that nobody has reviewed yet (``reviews_draw``, with
the system's random source: which conversations get a closer look is nobody's choice). The
review rates each criterion and carries written feedback (encrypted); sharing it shows it to
the counsellor, who acknowledges it. Every write goes to the audit log; the feedback never
does.
"""

from __future__ import annotations

import random
from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from huoli.conversations.models import Conversation
from huoli.core.audit import audit_record
from huoli.core.policy import (
    may_acknowledge,
    may_review,
    may_review_conversation,
    user_has_permission,
)
from huoli.supervision.errors import SupervisionError
from huoli.supervision.models import Review, ReviewRating
from huoli.supervision.selectors.reviews import (
    MAX_DRAW,
    review_criteria,
    reviewable_conversations,
)

FEEDBACK_MAX_LENGTH = 5000
_random = random.SystemRandom()


def _not_allowed() -> SupervisionError:
    return SupervisionError("not_allowed", _("You may not review this conversation."))


def _start(*, by, conversation: Conversation, origin: str) -> Review | None:
    """The review, or None when another supervisor started one a moment earlier."""
    try:
        with transaction.atomic():
            return Review.objects.create(
                conversation=conversation,
                counsellor_id=conversation.counsellor_id,
                reviewer=by,
                origin=origin,
            )
    except IntegrityError:
        return None


@transaction.atomic
def review_choose(*, by, conversation_id: int) -> Review:
    """Start a review of one ended conversation the supervisor chose."""
    conversation = Conversation.objects.select_for_update().filter(pk=conversation_id).first()
    if conversation is None or not may_review_conversation(by, conversation):
        raise _not_allowed()
    if conversation.content_purged_at is not None:
        raise SupervisionError(
            "purged",
            _("This conversation's messages have been deleted: there is nothing to review."),
        )
    review = None
    if not Review.objects.filter(conversation=conversation).exists():
        review = _start(by=by, conversation=conversation, origin=Review.Origin.CHOSEN)
    if review is None:
        raise SupervisionError("already_reviewed", _("This conversation is already reviewed."))
    audit_record(
        actor=by,
        action="review.started",
        object_type="review",
        object_id=review.pk,
        data={"conversation": conversation.pk, "origin": review.origin},
    )
    return review


@transaction.atomic
def reviews_draw(*, by, counsellor_id: int, month: date, count: int) -> list[Review]:
    """Draw up to ``count`` conversations at random among the counsellor's reviewable ones
    of ``month`` (``reviewable_conversations``) and start a review of each; fewer when there
    are fewer. A conversation is never reviewed twice."""
    if not user_has_permission(by, "supervision.review"):
        raise _not_allowed()
    if not 1 <= count <= MAX_DRAW:
        raise SupervisionError(
            "bad_count",
            _("Draw between 1 and %(most)d conversations.") % {"most": MAX_DRAW},
        )
    candidates = list(
        reviewable_conversations(by=by, counsellor_id=counsellor_id, month=month).order_by("pk")
    )
    reviews = []
    for conversation in _random.sample(candidates, min(count, len(candidates))):
        review = _start(by=by, conversation=conversation, origin=Review.Origin.DRAWN)
        if review is not None:
            reviews.append(review)
    if reviews:
        audit_record(
            actor=by,
            action="review.drawn",
            object_type="review",
            data={
                "counsellor": counsellor_id,
                "month": month.strftime("%Y-%m"),
                "reviews": [review.pk for review in reviews],
            },
        )
    return reviews


@transaction.atomic
def review_save(
    *, by, review_id: int, ratings: dict[int, str], feedback: str, share: bool = False
) -> Review:
    """Save the ratings (criterion id → rating; a criterion left out is not rated yet) and
    the feedback; with ``share`` the counsellor sees it from now on, and it can no longer
    change. Sharing needs every criterion rated and some feedback written."""
    review = Review.objects.select_for_update().filter(pk=review_id).first()
    if review is None or not may_review(by, review):
        raise SupervisionError("not_allowed", _("You may not change this review."))
    criteria = {criterion.pk: criterion for criterion in review_criteria(review)}
    if set(ratings) - set(criteria) or set(ratings.values()) - set(ReviewRating.Rating.values):
        raise SupervisionError("bad_rating", _("Choose one of the ratings for each criterion."))
    feedback = feedback.strip()
    if len(feedback) > FEEDBACK_MAX_LENGTH:
        raise SupervisionError(
            "too_long",
            _("The feedback is too long: at most %(most)d characters.")
            % {"most": FEEDBACK_MAX_LENGTH},
        )
    if share:
        unrated = [c for c in criteria.values() if c.active and c.pk not in ratings]
        if unrated:
            raise SupervisionError(
                "incomplete", _("Rate every criterion before sharing the review.")
            )
        if not feedback:
            raise SupervisionError("no_feedback", _("Write the feedback before sharing it."))
    review.ratings.exclude(criterion_id__in=list(ratings)).delete()
    for criterion_id, rating in ratings.items():
        ReviewRating.objects.update_or_create(
            review=review, criterion_id=criterion_id, defaults={"rating": rating}
        )
    review.feedback = feedback
    review.reviewer = by
    if share:
        review.shared_at = timezone.now()
    review.save()
    audit_record(
        actor=by,
        action="review.shared" if share else "review.saved",
        object_type="review",
        object_id=review.pk,
        data={"counsellor": review.counsellor_id, "conversation": review.conversation_id},
    )
    return review


@transaction.atomic
def review_acknowledge(*, by, review_id: int) -> Review:
    """The counsellor has read the feedback: the time is kept once (again does nothing)."""
    review = Review.objects.select_for_update().filter(pk=review_id).first()
    if review is None or not may_acknowledge(by, review):
        raise SupervisionError("not_allowed", _("This review is not yours to acknowledge."))
    if review.acknowledged_at is None:
        review.acknowledged_at = timezone.now()
        review.save(update_fields=["acknowledged_at"])
        audit_record(
            actor=by, action="review.acknowledged", object_type="review", object_id=review.pk
        )
    return review


@transaction.atomic
def review_discard(*, by, review_id: int) -> None:
    """Drop a review not shared yet (e.g. a drawn conversation that was silent or a test);
    the conversation may be chosen or drawn again."""
    review = Review.objects.select_for_update().filter(pk=review_id).first()
    if review is None or not may_review(by, review):
        raise SupervisionError("not_allowed", _("You may not change this review."))
    conversation_id = review.conversation_id
    review.delete()
    audit_record(
        actor=by,
        action="review.discarded",
        object_type="review",
        object_id=review_id,
        data={"conversation": conversation_id},
    )

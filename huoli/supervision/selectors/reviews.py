"""Reads of quality reviews (issue 18), scoped by ``core.policy.reviews_scope``: a
supervisor's lists, the counsellor's own shared feedback, the conversations one may review."""

from __future__ import annotations

from datetime import date, datetime, time

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from huoli.accounts.models import User
from huoli.conversations.models import Conversation
from huoli.core.policy import get_or_404, reviews_scope, user_has_permission
from huoli.core.roles import Role
from huoli.supervision.models import Review, ReviewCriterion, ReviewRating

# Conversations with a counsellor's work in them (a call-back request is a number and an
# outcome, nothing to review).
REVIEWABLE_KINDS = (Conversation.Kind.CHAT, Conversation.Kind.MESSAGE, Conversation.Kind.CALL)
MAX_DRAW = 20


def month_bounds(month: date) -> tuple[datetime, datetime]:
    """The first moment of ``month`` and of the next one, in the line's time zone."""
    first = month.replace(day=1)
    following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return (
        timezone.make_aware(datetime.combine(first, time.min)),
        timezone.make_aware(datetime.combine(following, time.min)),
    )


def reviewable_conversations(*, by, counsellor_id: int, month: date) -> QuerySet[Conversation]:
    """The counsellor's ended chats, messages and calls that ended in ``month``, still with
    their content and not reviewed yet; none of ``by``'s own, nothing for a non-supervisor."""
    if not user_has_permission(by, "supervision.review") or counsellor_id == by.pk:
        return Conversation.objects.none()
    start, end = month_bounds(month)
    return Conversation.objects.filter(
        status=Conversation.Status.ENDED,
        kind__in=REVIEWABLE_KINDS,
        counsellor_id=counsellor_id,
        ended_at__gte=start,
        ended_at__lt=end,
        content_purged_at__isnull=True,
        review__isnull=True,
    )


def review_criteria(review: Review) -> list[ReviewCriterion]:
    """The criteria of the review's form: those in use, and retired ones it already rated."""
    rated = review.ratings.values("criterion_id") if review.pk else []
    return list(
        ReviewCriterion.objects.filter(active=True) | ReviewCriterion.objects.filter(pk__in=rated)
    )


def _reviews(user) -> QuerySet[Review]:
    return reviews_scope(
        user,
        Review.objects.select_related("conversation", "counsellor", "reviewer").prefetch_related(
            Prefetch("ratings", ReviewRating.objects.select_related("criterion"))
        ),
    )


def access_review(user, review_id: int) -> Review:
    """The review if the user may see it, else 404 (another's review looks like none)."""
    return get_or_404(_reviews(user), pk=review_id)


def reviews_to_do(user) -> QuerySet[Review]:
    """Reviews started and not shared yet, oldest first."""
    return _reviews(user).filter(shared_at__isnull=True).order_by("created_at", "pk")


def reviews_done(user, *, limit: int = 100) -> list[Review]:
    """Shared reviews, latest first (acknowledged or not)."""
    return list(
        _reviews(user).filter(shared_at__isnull=False).order_by("-shared_at", "-pk")[:limit]
    )


def feedback_for(user) -> list[Review]:
    """The feedback shared with this counsellor about their own work, latest first."""
    return list(
        _reviews(user)
        .filter(counsellor=user, shared_at__isnull=False)
        .order_by("-shared_at", "-pk")
    )


def feedback_unacknowledged_count(user) -> int:
    """How many reviews shared with this counsellor they have not acknowledged yet (the
    console home points to them)."""
    return (
        _reviews(user)
        .filter(counsellor=user, shared_at__isnull=False, acknowledged_at__isnull=True)
        .count()
    )


def counsellors_to_review(user) -> QuerySet[User]:
    """The active staff who answer conversations, but the supervisor themselves."""
    if not user_has_permission(user, "supervision.review"):
        return User.objects.none()
    return (
        User.objects.filter(is_active=True, role__in=[Role.COUNSELLOR, Role.SUPERVISOR])
        .exclude(pk=user.pk)
        .order_by("first_name", "username")
    )

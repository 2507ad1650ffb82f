"""Quality reviews: what a draw may pick, who may review, rate, share and acknowledge, and
that every write is audited without its feedback."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.http import Http404

from huoli.conversations.models import Conversation
from huoli.conversations.services.queue import conversation_take, duty_set
from huoli.conversations.tests.factories import chat_start, chat_taken
from huoli.core.models import AuditEntry
from huoli.supervision.errors import SupervisionError
from huoli.supervision.models import Review, ReviewCriterion, ReviewRating
from huoli.supervision.selectors.reviews import access_review, feedback_for, reviews_to_do
from huoli.supervision.services.reviews import (
    review_acknowledge,
    review_choose,
    review_discard,
    review_save,
    reviews_draw,
)
from huoli.supervision.tests.factories import (
    all_met,
    ended_conversation,
    local,
    review_shared,
)

pytestmark = pytest.mark.django_db

DECEMBER = dt.date(2026, 12, 1)


def test_default_criteria_are_seeded_in_three_languages():
    names = list(ReviewCriterion.objects.values_list("name_en", flat=True))
    assert names[:2] == ["Listened and reflected", "Safety assessed"]
    assert all(c.name_fi and c.name_sv for c in ReviewCriterion.objects.all())


def test_a_draw_picks_only_that_counsellors_ended_conversations_of_the_month(team):
    aino, ben, sara = team["aino"], team["ben"], team["sara"]
    in_month = {
        ended_conversation(counsellor=aino, when=local(2026, 12, 1, 0)).pk,  # first hour
        ended_conversation(counsellor=aino, when=local(2026, 12, 31, 23)).pk,  # last hour
        ended_conversation(counsellor=aino, when=local(2026, 12, 10), kind="message").pk,
    }
    ended_conversation(counsellor=aino, when=local(2026, 11, 30, 23))  # the month before
    ended_conversation(counsellor=aino, when=local(2027, 1, 1, 0))  # the month after
    ended_conversation(counsellor=ben, when=local(2026, 12, 10))  # another counsellor's
    chat_taken(counsellor=aino)  # still active

    drawn = reviews_draw(by=sara, counsellor_id=aino.pk, month=DECEMBER, count=10)

    assert {review.conversation_id for review in drawn} == in_month
    assert {review.counsellor_id for review in drawn} == {aino.pk}
    assert {review.origin for review in drawn} == {Review.Origin.DRAWN}
    # Drawn again: nothing is reviewed twice.
    assert reviews_draw(by=sara, counsellor_id=aino.pk, month=DECEMBER, count=10) == []
    assert Review.objects.count() == 3
    entry = AuditEntry.objects.filter(action="review.drawn").get()
    assert entry.actor_id == sara.pk and entry.data["month"] == "2026-12"


def test_a_draw_takes_as_many_as_asked_at_random_among_the_unreviewed(team):
    aino, sara = team["aino"], team["sara"]
    ended = [ended_conversation(counsellor=aino, when=local(2026, 12, d)).pk for d in (2, 3, 4, 5)]
    chosen = review_choose(by=sara, conversation_id=ended[0])

    first = reviews_draw(by=sara, counsellor_id=aino.pk, month=DECEMBER, count=2)
    assert len(first) == 2
    assert chosen.conversation_id not in {review.conversation_id for review in first}
    rest = reviews_draw(by=sara, counsellor_id=aino.pk, month=DECEMBER, count=5)
    assert len(rest) == 1
    assert sorted(Review.objects.values_list("conversation_id", flat=True)) == sorted(ended)


@pytest.mark.parametrize("count", [0, -1, 21])
def test_a_draw_of_a_wrong_number_is_refused(team, count):
    with pytest.raises(SupervisionError) as refused:
        reviews_draw(by=team["sara"], counsellor_id=team["aino"].pk, month=DECEMBER, count=count)
    assert refused.value.code == "bad_count"


def test_only_supervisors_draw_or_choose_and_never_their_own_work(team):
    aino, ben, sara, ali = team["aino"], team["ben"], team["sara"], team["ali"]
    conversation = ended_conversation(counsellor=aino, when=local(2026, 12, 2))
    for user in (aino, ben, ali):
        with pytest.raises(SupervisionError):
            reviews_draw(by=user, counsellor_id=aino.pk, month=DECEMBER, count=1)
        with pytest.raises(SupervisionError):
            review_choose(by=user, conversation_id=conversation.pk)
    own = ended_conversation(counsellor=sara, when=local(2026, 12, 2))
    with pytest.raises(SupervisionError):
        review_choose(by=sara, conversation_id=own.pk)
    assert reviews_draw(by=sara, counsellor_id=sara.pk, month=DECEMBER, count=5) == []
    assert not Review.objects.exists()


def test_a_conversation_still_going_or_already_reviewed_is_not_chosen(team):
    aino, sara = team["aino"], team["sara"]
    duty_set(user=aino, on_duty=True)
    waiting = chat_start(language="fi")
    active = conversation_take(counsellor=aino, conversation_id=waiting.conversation.pk)
    with pytest.raises(SupervisionError) as refused:
        review_choose(by=sara, conversation_id=active.pk)
    assert refused.value.code == "not_allowed"
    ended = ended_conversation(counsellor=aino)
    review_choose(by=sara, conversation_id=ended.pk)
    with pytest.raises(SupervisionError) as refused:
        review_choose(by=sara, conversation_id=ended.pk)
    assert refused.value.code == "already_reviewed"
    with pytest.raises(SupervisionError):
        review_choose(by=sara, conversation_id=999_999)


def test_a_purged_conversation_is_not_reviewed(team):
    ended = ended_conversation(counsellor=team["aino"])
    Conversation.objects.filter(pk=ended.pk).update(content_purged_at=ended.ended_at)
    with pytest.raises(SupervisionError) as refused:
        review_choose(by=team["sara"], conversation_id=ended.pk)
    assert refused.value.code == "purged"


def test_sharing_needs_every_criterion_rated_and_feedback(team):
    aino, sara = team["aino"], team["sara"]
    review = review_choose(by=sara, conversation_id=ended_conversation(counsellor=aino).pk)
    ratings = all_met()
    first = next(iter(ratings))
    partial = {first: ReviewRating.Rating.PARTLY}

    # A draft may be partial; sharing may not.
    review_save(by=sara, review_id=review.pk, ratings=partial, feedback="Kesken")
    with pytest.raises(SupervisionError) as refused:
        review_save(by=sara, review_id=review.pk, ratings=partial, feedback="x", share=True)
    assert refused.value.code == "incomplete"
    with pytest.raises(SupervisionError) as refused:
        review_save(by=sara, review_id=review.pk, ratings=ratings, feedback="  ", share=True)
    assert refused.value.code == "no_feedback"
    for bad in ({first: "excellent"}, {999_999: "met"}):
        with pytest.raises(SupervisionError) as refused:
            review_save(by=sara, review_id=review.pk, ratings=bad, feedback="x")
        assert refused.value.code == "bad_rating"
    with pytest.raises(SupervisionError) as refused:
        review_save(by=sara, review_id=review.pk, ratings=ratings, feedback="x" * 5001)
    assert refused.value.code == "too_long"
    review.refresh_from_db()
    assert review.feedback == "Kesken" and review.shared_at is None
    assert dict(review.ratings.values_list("criterion_id", "rating")) == partial


def test_a_shared_review_is_seen_by_its_counsellor_only_and_no_longer_changes(team):
    aino, ben, sara = team["aino"], team["ben"], team["sara"]
    review = review_choose(by=sara, conversation_id=ended_conversation(counsellor=aino).pk)
    # A draft is the supervisor's.
    assert feedback_for(aino) == []
    with pytest.raises(Http404):
        access_review(aino, review.pk)

    shared = review_save(
        by=sara, review_id=review.pk, ratings=all_met(), feedback="Hyvä työ", share=True
    )
    assert shared.shared_at is not None
    assert [r.pk for r in feedback_for(aino)] == [review.pk]
    assert access_review(aino, review.pk).feedback == "Hyvä työ"
    assert feedback_for(ben) == []
    for outsider in (ben, team["ali"]):
        with pytest.raises(Http404):
            access_review(outsider, review.pk)
    with pytest.raises(SupervisionError) as refused:
        review_save(by=sara, review_id=review.pk, ratings=all_met(), feedback="Muutettu")
    assert refused.value.code == "not_allowed"
    assert reviews_to_do(sara).count() == 0


def test_the_feedback_is_encrypted_and_never_in_the_audit_log(team):
    review = review_shared(
        supervisor=team["sara"],
        conversation=ended_conversation(counsellor=team["aino"]),
        feedback="Salainen palaute",
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT feedback FROM supervision_review WHERE id = %s", [review.pk])
        stored = cursor.fetchone()[0]
    assert "Salainen" not in stored
    actions = list(
        AuditEntry.objects.filter(object_type="review")
        .order_by("seq")
        .values_list("action", "data")
    )
    assert [action for action, _data in actions] == ["review.started", "review.shared"]
    assert "Salainen" not in str(actions)


def test_the_counsellor_acknowledges_once_and_nobody_else_can(team):
    aino, ben, sara = team["aino"], team["ben"], team["sara"]
    draft = review_choose(by=sara, conversation_id=ended_conversation(counsellor=aino).pk)
    with pytest.raises(SupervisionError):
        review_acknowledge(by=aino, review_id=draft.pk)  # not shared yet
    review = review_shared(supervisor=sara, conversation=ended_conversation(counsellor=aino))
    for other in (ben, sara, team["ali"]):
        with pytest.raises(SupervisionError):
            review_acknowledge(by=other, review_id=review.pk)

    first = review_acknowledge(by=aino, review_id=review.pk).acknowledged_at
    assert first is not None
    assert review_acknowledge(by=aino, review_id=review.pk).acknowledged_at == first
    assert AuditEntry.objects.filter(action="review.acknowledged").count() == 1


def test_a_draft_is_dropped_by_a_supervisor_and_its_conversation_can_be_drawn_again(team):
    aino, sara = team["aino"], team["sara"]
    ended_conversation(counsellor=aino, when=local(2026, 12, 3))
    (review,) = reviews_draw(by=sara, counsellor_id=aino.pk, month=DECEMBER, count=1)
    for other in (aino, team["ben"], team["ali"]):
        with pytest.raises(SupervisionError):
            review_discard(by=other, review_id=review.pk)
    review_discard(by=sara, review_id=review.pk)
    assert not Review.objects.exists()
    assert AuditEntry.objects.filter(action="review.discarded").count() == 1
    (again,) = reviews_draw(by=sara, counsellor_id=aino.pk, month=DECEMBER, count=1)
    assert again.conversation_id == review.conversation_id
    shared = review_save(
        by=sara, review_id=again.pk, ratings=all_met(), feedback="Hyvä", share=True
    )
    with pytest.raises(SupervisionError):
        review_discard(by=sara, review_id=shared.pk)  # shared: it stays as the counsellor read it
    assert Review.objects.filter(pk=shared.pk).exists()

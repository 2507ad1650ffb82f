"""Quality reviews in the console (issue 18): the supervisors' list of reviews to do and
done, choosing or drawing conversations to review, the review form; the counsellor reads
shared feedback in their profile (``feedback_context``) and acknowledges it."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from huoli.console.access import safe_next, staff_required
from huoli.core.policy import may_acknowledge, may_review, user_has_permission
from huoli.supervision.errors import SupervisionError
from huoli.supervision.models import ReviewRating
from huoli.supervision.selectors.reviews import (
    MAX_DRAW,
    access_review,
    counsellors_to_review,
    feedback_for,
    review_criteria,
    reviewable_conversations,
    reviews_done,
    reviews_to_do,
)
from huoli.supervision.services.reviews import (
    review_acknowledge,
    review_choose,
    review_discard,
    review_save,
    reviews_draw,
)

CANDIDATES_SHOWN = 100


class MonthField(forms.CharField):
    """A month as ``<input type="month">`` sends it (YYYY-MM): the first day of it."""

    widget = forms.TextInput(attrs={"type": "month"})
    default_error_messages = {"invalid": gettext_lazy("Give the month as year and month.")}

    def to_python(self, value):
        value = super().to_python(value).strip()
        if not value:
            return None
        try:
            month = dt.datetime.strptime(value, "%Y-%m").date()
            # A month a database holds once moved to UTC and a month on (a 500 before).
            if not 2000 <= month.year <= 2999:
                raise ValueError(value)
        except ValueError as error:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from error
        return month


class ReviewFindForm(forms.Form):
    """Whose conversations of which month: to choose one, or to draw some at random."""

    counsellor = forms.TypedChoiceField(label=gettext_lazy("Counsellor"), coerce=int)
    month = MonthField(label=gettext_lazy("Month"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["counsellor"].choices = [("", "—")] + [
            (person.pk, person.display_name) for person in counsellors_to_review(user)
        ]


class ReviewDrawForm(ReviewFindForm):
    count = forms.IntegerField(
        label=gettext_lazy("How many"), min_value=1, max_value=MAX_DRAW, initial=2
    )


def this_month() -> str:
    return timezone.localdate().strftime("%Y-%m")


def feedback_context(user) -> list:
    """The shared feedback about the user's own work, for their profile page."""
    if not user_has_permission(user, "counselling.work"):
        return []
    return feedback_for(user)


@staff_required("supervision.review")
@require_GET
def review_list_view(request):
    user = request.user
    searched = "counsellor" in request.GET
    find = ReviewFindForm(
        request.GET if searched else None, user=user, initial={"month": this_month()}
    )
    candidates = None
    if searched and find.is_valid():
        candidates = list(
            reviewable_conversations(
                by=user,
                counsellor_id=find.cleaned_data["counsellor"],
                month=find.cleaned_data["month"],
            ).order_by("-ended_at", "-pk")[:CANDIDATES_SHOWN]
        )
    draw = ReviewDrawForm(
        user=user,
        initial={
            "month": request.GET.get("month") or this_month(),
            "counsellor": request.GET.get("counsellor", ""),
            "count": 2,
        },
        auto_id="draw_%s",
    )
    return render(
        request,
        "console/review_list.html",
        {
            "find": find,
            "draw": draw,
            "candidates": candidates,
            "to_do": list(reviews_to_do(user)),
            "done": reviews_done(user),
        },
    )


def _back_to_list(data) -> HttpResponseRedirect:
    query = {key: data[key] for key in ("counsellor", "month") if data.get(key)}
    url = reverse("console:review_list")
    return HttpResponseRedirect(f"{url}?{urlencode(query)}" if query else url)


@staff_required("supervision.review")
@require_POST
def review_draw_view(request):
    form = ReviewDrawForm(request.POST, user=request.user)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, errors[0])
        return _back_to_list(request.POST)
    try:
        drawn = reviews_draw(
            by=request.user,
            counsellor_id=form.cleaned_data["counsellor"],
            month=form.cleaned_data["month"],
            count=form.cleaned_data["count"],
        )
    except SupervisionError as error:
        messages.error(request, str(error))
    else:
        if drawn:
            messages.success(
                request,
                _("%(count)d conversations drawn for review.") % {"count": len(drawn)},
            )
        else:
            messages.info(
                request, _("No conversation of that counsellor in that month is left to review.")
            )
    return _back_to_list(request.POST)


@staff_required("supervision.review")
@require_POST
def review_choose_view(request):
    try:
        conversation_id = int(request.POST.get("conversation", ""))
    except ValueError:
        messages.error(request, _("Choose a conversation to review."))
        return _back_to_list(request.POST)
    try:
        review = review_choose(by=request.user, conversation_id=conversation_id)
    except SupervisionError as error:
        messages.error(request, str(error))
        return _back_to_list(request.POST)
    return HttpResponseRedirect(reverse("console:review", args=[review.pk]))


def _posted_ratings(post, criteria) -> dict[int, str]:
    """``rating-<criterion id>`` fields; an empty one is not rated yet. Unknown values go
    to the service, which refuses them with a clear message."""
    ratings = {}
    for criterion in criteria:
        value = post.get(f"rating-{criterion.pk}", "")
        if value:
            ratings[criterion.pk] = value
    return ratings


@staff_required("counselling.work")
@require_http_methods(["GET", "POST"])
def review_view(request, review_id: int):
    """The review form for the supervisor writing it; the shared review, read-only, for
    supervisors and the counsellor reviewed. Anyone else gets a 404."""
    user = request.user
    review = access_review(user, review_id)
    editing = may_review(user, review)
    criteria = review_criteria(review)
    ratings = {rating.criterion_id: rating.rating for rating in review.ratings.all()}
    feedback = review.feedback
    error = ""
    if request.method == "POST":
        if not editing:
            messages.error(request, _("This review is shared and can no longer change."))
            return HttpResponseRedirect(reverse("console:review", args=[review.pk]))
        ratings = _posted_ratings(request.POST, criteria)
        feedback = request.POST.get("feedback", "")
        share = request.POST.get("action") == "share"
        try:
            review_save(
                by=user, review_id=review.pk, ratings=ratings, feedback=feedback, share=share
            )
        except SupervisionError as refused:
            error = str(refused)
        else:
            if share:
                messages.success(request, _("The review is shared with the counsellor."))
                return HttpResponseRedirect(reverse("console:review_list"))
            messages.success(request, _("The review is saved."))
            return HttpResponseRedirect(reverse("console:review", args=[review.pk]))
    rows = [
        {
            "criterion": criterion,
            "field": f"rating-{criterion.pk}",
            "value": ratings.get(criterion.pk, ""),
        }
        for criterion in criteria
    ]
    return render(
        request,
        "console/review.html",
        {
            "review": review,
            "editing": editing,
            "rows": rows,
            "rating_choices": ReviewRating.Rating.choices,
            "feedback": feedback,
            "error": error,
            "may_acknowledge": may_acknowledge(user, review),
        },
        status=400 if error else 200,
    )


@staff_required("counselling.work")
@require_POST
def review_acknowledge_view(request, review_id: int):
    review = access_review(request.user, review_id)
    try:
        review_acknowledge(by=request.user, review_id=review.pk)
    except SupervisionError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Thank you: the reviewer sees that you have read it."))
    return HttpResponseRedirect(safe_next(request, reverse("console:profile") + "#feedback"))


@staff_required("supervision.review")
@require_POST
def review_discard_view(request, review_id: int):
    review = access_review(request.user, review_id)
    try:
        review_discard(by=request.user, review_id=review.pk)
    except SupervisionError as error:
        messages.error(request, str(error))
        return HttpResponseRedirect(reverse("console:review", args=[review.pk]))
    messages.success(request, _("The review is dropped; the conversation can be reviewed later."))
    return HttpResponseRedirect(reverse("console:review_list"))

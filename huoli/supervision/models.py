"""The supervisor's care of the work (issue 18).

Quality reviews: a supervisor reviews an ended conversation of a counsellor against criteria
that administrators keep (``ReviewCriterion``, translated like the contact-record lists),
rates each and writes feedback (encrypted), then shares it; the counsellor reads it in their
profile and acknowledges it. Reviews are deleted after their retention period
(``RetentionPolicy.review_days``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from huoli.core.fields import EncryptedTextField

# ---------------------------------------------------------------------------------------------
# Handover notes and debrief requests (issue 18, points 4 and 5)
# ---------------------------------------------------------------------------------------------

HANDOVER_MAX_LENGTH = 4000
DEBRIEF_NOTE_MAX_LENGTH = 500


class HandoverNote(models.Model):
    """A note for the next shift (who awaits an answer, which follow-ups are due). Its text is
    encrypted; it is deleted ``RetentionPolicy.handover_days`` after it was written."""

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("written by"),
    )
    body = EncryptedTextField(_("handover note"))
    created_at = models.DateTimeField(_("written"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("handover note")
        verbose_name_plural = _("handover notes")

    def __str__(self) -> str:
        return f"{timezone.localtime(self.created_at):%Y-%m-%d %H:%M}"


class HandoverRead(models.Model):
    """Who marked a handover note read, and when (once per person)."""

    note = models.ForeignKey(HandoverNote, on_delete=models.CASCADE, related_name="reads")
    reader = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    read_at = models.DateTimeField(_("read"), default=timezone.now)

    class Meta:
        ordering = ["read_at", "pk"]
        verbose_name = _("handover note read")
        verbose_name_plural = _("handover notes read")
        constraints = [
            models.UniqueConstraint(fields=["note", "reader"], name="handover_read_once"),
        ]

    def __str__(self) -> str:
        return f"{self.note} · {self.reader_id}"


class DebriefRequest(models.Model):
    """A counsellor's request to talk a hard contact through with a supervisor. The optional
    note is encrypted; the request is deleted ``RetentionPolicy.debrief_days`` after it was
    done (or asked for, when nobody marked it done)."""

    class Status(models.TextChoices):
        OPEN = "open", _("Waiting for a supervisor")
        DONE = "done", _("Done")

    record = models.ForeignKey(
        "contacts.ContactRecord",
        on_delete=models.CASCADE,
        related_name="debrief_requests",
        verbose_name=_("contact record"),
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="debrief_requests",
        verbose_name=_("asked by"),
    )
    note = EncryptedTextField(_("note"), blank=True, default="")
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    created_at = models.DateTimeField(_("asked"), default=timezone.now, db_index=True)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("done by"),
    )

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("debrief request")
        verbose_name_plural = _("debrief requests")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["open", "done"]), name="debrief_status_valid"
            ),
            # Asking again while one waits returns the waiting one.
            models.UniqueConstraint(
                fields=["record", "requested_by"],
                condition=models.Q(status="open"),
                name="debrief_one_open_per_record",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.record_id} · {self.get_status_display()}"


# ---------------------------------------------------------------------------------------------
# Quality reviews (issue 18, point 5)
# ---------------------------------------------------------------------------------------------


class ReviewCriterion(models.Model):
    """One line of the review form. Administrators add, rename, reorder, retire and
    translate criteria; retired ones stay on the reviews that rated them."""

    name_fi = models.CharField(_("name in Finnish"), max_length=120)
    name_sv = models.CharField(_("name in Swedish"), max_length=120, blank=True)
    name_en = models.CharField(_("name in English"), max_length=120, blank=True)
    code = models.SlugField(
        _("code"),
        max_length=40,
        unique=True,
        help_text=_("A fixed identifier; keep it when renaming."),
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    active = models.BooleanField(
        _("in use"), default=True, help_text=_("Retired criteria stay on old reviews.")
    )

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("review criterion")
        verbose_name_plural = _("review criteria")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        language = (get_language() or "fi")[:2]
        return getattr(self, f"name_{language}", "") or self.name_fi


class Review(models.Model):
    """A supervisor's review of one ended conversation, of the counsellor who answered it.
    A conversation is reviewed at most once. Until ``shared_at`` only supervisors see it."""

    class Origin(models.TextChoices):
        CHOSEN = "chosen", _("Chosen")
        DRAWN = "drawn", _("Drawn at random")

    conversation = models.OneToOneField(
        "conversations.Conversation",
        on_delete=models.CASCADE,
        related_name="review",
        verbose_name=_("conversation"),
    )
    counsellor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="reviews_received",
        verbose_name=_("counsellor"),
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="reviews_written",
        verbose_name=_("reviewer"),
    )
    origin = models.CharField(_("how it was chosen"), max_length=10, choices=Origin.choices)
    feedback = EncryptedTextField(_("feedback"), blank=True, default="")
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("saved"), auto_now=True)
    shared_at = models.DateTimeField(_("shared"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("review")
        verbose_name_plural = _("reviews")

    def __str__(self) -> str:
        return str(_("Review %(number)s") % {"number": self.pk})


class ReviewRating(models.Model):
    """How one criterion was met in one review."""

    class Rating(models.TextChoices):
        MET = "met", _("Met")
        PARTLY = "partly", _("Partly met")
        NOT_MET = "not_met", _("Not met")
        NOT_APPLICABLE = "not_applicable", _("Not applicable")

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="ratings")
    criterion = models.ForeignKey(ReviewCriterion, on_delete=models.PROTECT, related_name="+")
    rating = models.CharField(_("rating"), max_length=20, choices=Rating.choices)

    class Meta:
        ordering = ["criterion__position", "criterion__pk"]
        constraints = [
            models.UniqueConstraint(fields=["review", "criterion"], name="review_rating_unique")
        ]

    def __str__(self) -> str:
        return f"{self.criterion}: {self.get_rating_display()}"

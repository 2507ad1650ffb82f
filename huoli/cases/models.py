"""Cases (the contacts about one family situation), their notes and follow-ups.
Escalations live in ``huoli.escalations``."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from huoli.core.fields import EncryptedTextField

# Letters and digits a caller can read out without confusion (no 0/O, 1/I/L, 2/Z, 5/S, 8/B).
CASE_NUMBER_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
CASE_NUMBER_LENGTH = 6


class Case(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("case status", "Open")
        WAITING = "waiting", _("Waiting")
        CLOSED = "closed", _("Closed")

    # Random, short and not sequential: a caller can quote it, nobody can count cases by it.
    number = models.CharField(_("case number"), max_length=CASE_NUMBER_LENGTH, unique=True)
    title = EncryptedTextField(_("title"), blank=True, default="")
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    counsellors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="cases", verbose_name=_("counsellors")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, db_index=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    text_purged_at = models.DateTimeField(_("text deleted"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["open", "waiting", "closed"]),
                name="case_status_valid",
            )
        ]

    def __str__(self) -> str:
        return self.display_number

    @property
    def display_number(self) -> str:
        half = CASE_NUMBER_LENGTH // 2
        return f"{self.number[:half]}-{self.number[half:]}"


class CaseNote(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    text = EncryptedTextField(_("note"))
    created_at = models.DateTimeField(_("written"), default=timezone.now)

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("case note")
        verbose_name_plural = _("case notes")

    def __str__(self) -> str:
        return f"{self.case} · {timezone.localtime(self.created_at):%Y-%m-%d %H:%M}"


class FollowUp(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="follow_ups")
    due_on = models.DateField(_("due"))
    what = EncryptedTextField(_("what to do"))
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="follow_ups",
        verbose_name=_("assigned to"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        indexes = [models.Index(fields=["assigned_to", "done_at", "due_on"], name="my_followups")]

    def __str__(self) -> str:
        return f"{self.case} · {self.due_on:%Y-%m-%d}"

    @property
    def overdue(self) -> bool:
        return self.done_at is None and self.due_on < timezone.localdate()

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
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

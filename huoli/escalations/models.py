"""Escalations: the documented decision when someone's life or safety is in danger, and
who was alerted. The model moved here from ``cases`` (decision 0025): it keeps its table
``cases_escalation`` and the associated data of its encrypted texts."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from huoli.core.fields import EncryptedTextField


class Escalation(models.Model):
    # Its encrypted texts were written as ``cases.Escalation.<field>#<pk>`` before the move
    # and are read under that name (core.fields, decision 0025).
    encryption_label = "cases.Escalation"

    class Status(models.TextChoices):
        OPEN = "open", _("Waiting for a supervisor")
        ACKNOWLEDGED = "acknowledged", _("Supervisor consulted")
        DECIDED = "decided", _("Decided")

    class Decision(models.TextChoices):
        EMERGENCY = "emergency_112", _("Emergency number 112 advised")
        CHILD_WELFARE = "child_welfare", _("Child-welfare notification")
        POLICE = "police", _("Police informed")
        NO_ACTION = "no_action", _("No action")

    status = models.CharField(
        _("status"), max_length=14, choices=Status.choices, default=Status.OPEN
    )
    record = models.ForeignKey(
        "contacts.ContactRecord",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="escalations",
        verbose_name=_("contact record"),
    )
    conversation = models.ForeignKey(
        "conversations.Conversation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="escalations",
        verbose_name=_("conversation"),
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="escalations_opened",
        verbose_name=_("opened by"),
    )
    opened_at = models.DateTimeField(_("opened"), default=timezone.now, db_index=True)
    assessment = EncryptedTextField(_("what was assessed"), blank=True, default="")
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="escalations_consulted",
        verbose_name=_("supervisor consulted"),
    )
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    decision = models.CharField(_("decision"), max_length=16, choices=Decision.choices, blank=True)
    reason = EncryptedTextField(_("reason for the decision"), blank=True, default="")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    text_purged_at = models.DateTimeField(_("text deleted"), null=True, blank=True)
    callback_number = EncryptedTextField(
        _("call-back number"),
        blank=True,
        default="",
        help_text=_(
            "Only when the escalation needs it. Deleted when its retention period after the "
            "decision has passed."
        ),
    )
    callback_purged_at = models.DateTimeField(_("call-back number deleted"), null=True, blank=True)

    class Meta:
        db_table = "cases_escalation"
        ordering = ["-opened_at"]
        verbose_name = _("escalation")
        verbose_name_plural = _("escalations")

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.pk}"

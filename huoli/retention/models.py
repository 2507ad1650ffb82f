from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class RetentionPolicy(models.Model):
    """How long each kind of stored data is kept (one row; administrators set it within
    bounds). ``manage.py purge`` applies it; statistics keep only structured fields."""

    message_days = models.PositiveIntegerField(
        _("conversation messages, days after the last activity"),
        default=90,
        validators=[MinValueValidator(7), MaxValueValidator(730)],
    )
    return_code_days = models.PositiveIntegerField(
        _("return codes, days of inactivity before they stop working"),
        default=90,
        validators=[MinValueValidator(7), MaxValueValidator(365)],
    )
    notes_days = models.PositiveIntegerField(
        _("counsellor notes and summaries, days after the case closes"),
        default=730,
        validators=[MinValueValidator(90), MaxValueValidator(3650)],
    )
    escalation_days = models.PositiveIntegerField(
        _("escalation assessments and reasons, days after the decision"),
        default=365,
        validators=[MinValueValidator(30), MaxValueValidator(3650)],
    )
    feedback_days = models.PositiveIntegerField(
        _("feedback answers, days"),
        default=730,
        validators=[MinValueValidator(30), MaxValueValidator(3650)],
    )
    callback_days = models.PositiveIntegerField(
        _("call-back numbers kept for an escalation, days after the decision"),
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
    )
    callback_request_days = models.PositiveIntegerField(
        _("numbers of call-back requests, days at the longest (deleted at once when closed)"),
        default=14,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
    )
    handover_days = models.PositiveIntegerField(
        _("handover notes between shifts, days after they were written"),
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
    )
    debrief_days = models.PositiveIntegerField(
        _("debrief requests, days after they were done (or asked for, if never done)"),
        default=90,
        validators=[MinValueValidator(7), MaxValueValidator(730)],
    )
    review_days = models.PositiveIntegerField(
        _("quality reviews and their feedback, days after the review was started"),
        default=365,
        validators=[MinValueValidator(30), MaxValueValidator(1825)],
    )
    audit_days = models.PositiveIntegerField(
        _("audit log entries, days"),
        default=1825,
        validators=[MinValueValidator(365), MaxValueValidator(3650)],
    )

    class Meta:
        db_table = "helpline_retentionpolicy"  # made by helpline before this app (decision 0026)
        verbose_name = _("retention periods")
        verbose_name_plural = _("retention periods")

    def __str__(self) -> str:
        return str(self._meta.verbose_name)

    @classmethod
    def current(cls) -> RetentionPolicy:
        """The saved periods, or the defaults while none are saved (reading never writes,
        so pages still show while the database refuses writes for a moment)."""
        return cls.objects.filter(pk=1).first() or cls(pk=1)

    @classmethod
    def saved(cls) -> RetentionPolicy:
        policy, _created = cls.objects.get_or_create(pk=1)
        return policy

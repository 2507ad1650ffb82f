"""A call to the line: the telephone's side of a conversation of kind ``call``.

The conversation carries what every channel shares (queue, counsellor, record, policy); the
call adds the line it came to, where it came from and its times. The caller's number and the
SIP call id are kept only as keyed hashes (decision 0035): the key lives outside the database
and is replaced when the retention period ends.
"""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from huoli.conversations.models import Conversation
from huoli.core.fields import EncryptedTextField


class Call(models.Model):
    class Source(models.TextChoices):
        TRUNK = "trunk", _("Telephone network")
        WEB = "web", _("Web page")

    class Outcome(models.TextChoices):
        WAITING = "", _("Waiting")
        ANSWERED = "answered", _("Answered")
        ABANDONED = "abandoned", _("Caller hung up while waiting")
        TIMED_OUT = "timed_out", _("Waited too long")

    conversation = models.OneToOneField(
        Conversation, on_delete=models.CASCADE, related_name="call", verbose_name=_("conversation")
    )
    line = models.CharField(_("line"), max_length=8)
    source = models.CharField(_("source"), max_length=8, choices=Source.choices)
    # Keyed hash of the SIP Call-ID (it may hold an address): finds the call again.
    ref_hash = models.CharField(max_length=64, unique=True)
    # Keyed hash of the caller's number (telephone network only; empty when withheld).
    caller_hash = models.CharField(max_length=64, blank=True, db_index=True)
    offered_at = models.DateTimeField(_("arrived"))
    rang_at = models.DateTimeField(_("last rang"), null=True, blank=True)
    # Whom the last ring round rang (staff ids): only they may answer it.
    rang_users = models.JSONField(default=list, blank=True, editable=False)
    # Who pressed "Decline" on it (staff ids): it rings them again only if nobody else is free.
    declined_users = models.JSONField(default=list, blank=True, editable=False)
    # When Kamailio last asked about it: a waiting call it stopped asking about is over.
    asked_at = models.DateTimeField(null=True, blank=True, editable=False)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=10, choices=Outcome.choices, blank=True, default=""
    )
    # Kept by the purge, which cuts the times above to the day (decision 0013), rounded to
    # ten seconds: the wait until the answer (or, unanswered, until the caller was gone) and
    # the talk from the answer to the end. Statistics use them once the times are cut.
    wait_seconds = models.PositiveIntegerField(null=True, blank=True, editable=False)
    talk_seconds = models.PositiveIntegerField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["offered_at"]
        verbose_name = _("call")
        verbose_name_plural = _("calls")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(outcome__in=["", "answered", "abandoned", "timed_out"]),
                name="calls_call_outcome_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(source__in=["trunk", "web"]), name="calls_call_source_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_source_display()} {self.line} {self.pk}"


class CallLine(models.Model):
    """The telephone's settings administrators keep (one row)."""

    wait_limit_minutes = models.PositiveSmallIntegerField(
        _("longest wait (minutes)"),
        default=5,
        help_text=_(
            "A caller waiting longer is told to try again later or to ask for a call back "
            "on the web page."
        ),
    )
    # The line's own number: what the people a counsellor phones back see as the caller,
    # never a counsellor's (issue 16). Call-backs cannot be dialled until it is set.
    number = models.CharField(
        _("the line's telephone number"),
        max_length=16,
        blank=True,
        default="",
        validators=[
            RegexValidator(
                r"^\+[1-9][0-9]{6,14}$",
                _("Write it in international form without spaces, for example +35891234567."),
            )
        ],
        help_text=_(
            "Shown to the families a counsellor calls back, in international form "
            "(+358…). Call-backs are dialled only when it is set."
        ),
    )

    class Meta:
        verbose_name = _("telephone settings")
        verbose_name_plural = _("telephone settings")

    def __str__(self) -> str:
        return str(self._meta.verbose_name)

    @classmethod
    def current(cls) -> CallLine:
        return cls.objects.first() or cls()

    @classmethod
    def saved(cls) -> CallLine:
        row = cls.objects.first()
        return row if row is not None else cls.objects.create()


class CallbackRequest(models.Model):
    """A family's request to be phoned: what only a call-back has, beside its conversation
    of kind ``callback`` (which carries the return code, the language, the interpreter need,
    the queue, the counsellor who took it and the record; decision 0038).

    The number and the name to ask for are encrypted and deleted when the request closes
    (reached, wrong number, cancelled, expired), at the latest after
    ``RetentionPolicy.callback_request_days``."""

    class Outcome(models.TextChoices):
        OPEN = "", _("Waiting for its time")
        REACHED = "reached", _("Reached")
        WRONG_NUMBER = "wrong_number", _("Wrong number")
        CANCELLED = "cancelled", _("Cancelled by the family")
        EXPIRED = "expired", _("Expired")

    conversation = models.OneToOneField(
        Conversation,
        on_delete=models.CASCADE,
        related_name="callback",
        verbose_name=_("conversation"),
    )
    # NULL once deleted: an emptied encrypted column would still hold a ciphertext.
    number = EncryptedTextField(_("phone number"), null=True, blank=True)
    # The times that suit the family: [[start, end], …] as ISO 8601 in UTC, in order.
    windows = models.JSONField(_("times that suit"), default=list)
    # Whether the counsellor may say they call from the helpline when someone else answers.
    may_say_helpline = models.BooleanField(_("may say it is the helpline"), default=False)
    # The first name or the word the counsellor asks for (encrypted, emptied with the number).
    ask_for = EncryptedTextField(_("ask for"), null=True, blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=12, choices=Outcome.choices, blank=True, default=""
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    first_attempt_at = models.DateTimeField(_("first attempt"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    number_deleted_at = models.DateTimeField(_("number deleted"), null=True, blank=True)
    # Kept by the purge, which cuts the times above to the day (decision 0013): from the
    # request to the first attempt, rounded to ten minutes, for the statistics.
    first_attempt_minutes = models.PositiveIntegerField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("call-back request")
        verbose_name_plural = _("call-back requests")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    outcome__in=["", "reached", "wrong_number", "cancelled", "expired"]
                ),
                name="calls_callback_outcome_valid",
            ),
            # A closed request keeps no number.
            models.CheckConstraint(
                condition=models.Q(outcome="")
                | models.Q(number__isnull=True, ask_for__isnull=True),
                name="calls_callback_closed_has_no_number",
            ),
        ]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.pk}"

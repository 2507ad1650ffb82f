from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from huoli.core.fields import EncryptedTextField

MAX_MESSAGE_CHARS = 4000


def spoken_language_name(code: str) -> str:
    """A visitor language's name in the reader's language (the code when unknown)."""
    return str(dict(settings.HUOLI_SPOKEN_LANGUAGES).get(code, code))


class FlagReason(models.TextChoices):
    HARASSMENT = "harassment", _("Harassment or insults")
    THREATS = "threats", _("Threats against staff")
    SEXUAL = "sexual", _("Sexual content")
    AUTOMATED = "automated", _("Automated or spam")
    PRANK = "prank", _("Prank or deliberate time-wasting")
    OTHER = "other", _("Other")


class Conversation(models.Model):
    """A thread between one anonymous visitor and the helpline.

    The visitor is known only by two hashes: of the return code (slow, keyed) and of the
    browser token set when the conversation starts (fast; a random 256-bit value).
    """

    class Kind(models.TextChoices):
        CHAT = "chat", _("Chat")
        MESSAGE = "message", _("Message")
        CALL = "call", _("Phone call")
        CALLBACK = "callback", _("Call-back request")

    # Kinds that take a counsellor's time while they last: they count against
    # ``CounsellorProfile.max_chats`` together.
    LIVE_KINDS = ("chat", "call")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting")
        ACTIVE = "active", _("Active")
        ENDED = "ended", _("Ended")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    language = models.CharField(_("language"), max_length=8)
    nickname = EncryptedTextField(_("nickname"), blank=True, default="")
    counsellor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="conversations",
        verbose_name=_("counsellor"),
    )
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="joined_conversations",
        verbose_name=_("supervisor who joined"),
    )
    created_at = models.DateTimeField(_("started"), db_index=True)
    # Offered in the queue from this moment on (empty: at once). A call-back request waits
    # for the window the family chose (``calls.CallbackRequest``); the queue is ordered by it.
    queued_from = models.DateTimeField(_("in the queue from"), null=True, blank=True)
    taken_at = models.DateTimeField(_("taken"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    last_message_at = models.DateTimeField(_("last message"), null=True, blank=True)
    # When the retention period took the messages and nickname (the row stays for statistics).
    content_purged_at = models.DateTimeField(_("content deleted"), null=True, blank=True)
    # Kept by the purge, which cuts the times above to the day (decision 0013): how long the
    # chat waited in the queue and lasted, rounded to ten seconds, for the service levels.
    wait_seconds = models.PositiveIntegerField(null=True, blank=True, editable=False)
    length_seconds = models.PositiveIntegerField(null=True, blank=True, editable=False)
    awaiting_reply = models.BooleanField(_("waiting for an answer"), default=False)
    last_seq = models.PositiveIntegerField(default=0)
    counsellor_seen_seq = models.PositiveIntegerField(default=0)
    return_code_hash = models.CharField(max_length=64, unique=True)
    visitor_token_hash = models.CharField(max_length=64, unique=True, null=True, blank=True)
    # Abuse handling: a flag with a reason, and the return code blocked (no address kept).
    flag_reason = models.CharField(
        _("flagged as abusive"), max_length=12, choices=FlagReason.choices, blank=True
    )
    flag_note = EncryptedTextField(_("note on the flag"), blank=True, default="")
    flagged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("flagged by"),
    )
    flagged_at = models.DateTimeField(_("flagged"), null=True, blank=True)
    code_blocked_at = models.DateTimeField(_("return code blocked"), null=True, blank=True)
    # No counsellor speaks the visitor's language: answered with an interpreter's help.
    interpreter_needed = models.BooleanField(_("interpreter needed"), default=False)
    # The feedback question was put to a browser after the chat ended: it is asked once per
    # conversation, never again after a return with the code. Whether it was answered, and
    # how, is not kept here (``Feedback`` is linked to nothing).
    feedback_asked = models.BooleanField(default=False, editable=False)

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("conversation")
        verbose_name_plural = _("conversations")
        indexes = [models.Index(fields=["status", "kind"], name="conversation_queue_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=["chat", "message", "call", "callback"]),
                name="conversation_kind_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=["queued", "active", "ended"]),
                name="conversation_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.pk}"

    @property
    def language_name(self) -> str:
        return spoken_language_name(self.language)

    @property
    def last_activity(self):
        return self.last_message_at or self.created_at

    def deletion_due(self, message_days: int):
        """When the retention period will take the messages, unless the conversation goes on."""
        return self.last_activity + dt.timedelta(days=message_days)

    @property
    def unread_count(self) -> int:
        return max(0, self.last_seq - self.counsellor_seen_seq)


class Message(models.Model):
    class Sender(models.TextChoices):
        VISITOR = "visitor", _("Visitor")
        COUNSELLOR = "counsellor", _("Counsellor")
        SYSTEM = "system", _("System")

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages"
    )
    seq = models.PositiveIntegerField()
    sender = models.CharField(max_length=10, choices=Sender.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    author_name = models.CharField(max_length=40, blank=True)
    client_id = models.CharField(max_length=64)
    body = EncryptedTextField()
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["conversation", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["conversation", "seq"], name="message_seq_unique"),
            models.UniqueConstraint(
                fields=["conversation", "client_id"], name="message_client_id_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.conversation_id}#{self.seq}"


class DutyPeriod(models.Model):
    """One stretch of a counsellor's duty, a shift: from going on duty to going off
    (``services.queue.duty_set``). Supervisors see the high-risk contacts per shift
    (``supervision.selectors.risk``). Its times would narrow down when a contact happened,
    so the purge deletes it with the messages' period after it ended."""

    counsellor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="duty_periods",
        verbose_name=_("counsellor"),
    )
    started_at = models.DateTimeField(_("on duty from"), db_index=True)
    ended_at = models.DateTimeField(_("on duty until"), null=True, blank=True)

    class Meta:
        ordering = ["counsellor", "started_at"]
        verbose_name = _("shift")
        verbose_name_plural = _("shifts")
        constraints = [
            models.UniqueConstraint(
                fields=["counsellor"],
                condition=models.Q(ended_at__isnull=True),
                name="duty_period_one_open",
            )
        ]

    def __str__(self) -> str:
        return f"{self.counsellor_id} {self.started_at:%Y-%m-%d %H:%M}"


class Feedback(models.Model):
    """The one question after a chat. Deliberately linked to nothing: only the day is kept."""

    class Answer(models.TextChoices):
        YES = "yes", _("Yes")
        PARTLY = "partly", _("Partly")
        NO = "no", _("No")

    answer = models.CharField(max_length=10, choices=Answer.choices)
    day = models.DateField()

    class Meta:
        verbose_name = _("feedback answer")
        verbose_name_plural = _("feedback answers")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(answer__in=["yes", "partly", "no"]), name="feedback_answer_valid"
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.answer}"


class CannedResponse(models.Model):
    """A ready answer kept by administrators, with a text in each visitor language it has
    (``CannedText``): the counsellor inserts it in the visitor's language, or another."""

    title = models.CharField(_("title"), max_length=80)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    active = models.BooleanField(_("in use"), default=True)

    class Meta:
        ordering = ["order", "title"]
        verbose_name = _("canned response")
        verbose_name_plural = _("canned responses")

    def __str__(self) -> str:
        return self.title

    # Without the visitor's language, English is the likeliest to be understood.
    FALLBACK_LANGUAGE = "en"

    def texts_for(self, language: str) -> list[CannedText]:
        """Its texts with the one in ``language`` first, then English, the others in the
        order of ``HUOLI_SPOKEN_LANGUAGES`` (uses ``texts`` as prefetched)."""
        order = {code: i for i, (code, _name) in enumerate(settings.HUOLI_SPOKEN_LANGUAGES)}
        return sorted(
            self.texts.all(),
            key=lambda text: (
                text.language != language,
                text.language != self.FALLBACK_LANGUAGE,
                order.get(text.language, len(order)),
            ),
        )


class CannedText(models.Model):
    """A canned response's text in one visitor language."""

    response = models.ForeignKey(
        CannedResponse,
        on_delete=models.CASCADE,
        related_name="texts",
        verbose_name=_("canned response"),
    )
    # One of ``HUOLI_SPOKEN_LANGUAGES`` (the admin's form offers them; no choices here, so
    # adding a language needs no migration).
    language = models.CharField(_("language"), max_length=8)
    text = models.TextField(_("text"))

    class Meta:
        ordering = ["response", "language"]
        verbose_name = _("text in a language")
        verbose_name_plural = _("texts in languages")
        constraints = [
            models.UniqueConstraint(
                fields=["response", "language"], name="canned_text_language_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.response} ({self.language})"

    @property
    def language_name(self) -> str:
        return spoken_language_name(self.language)


MAX_STAFF_NOTE_CHARS = 2000


class StaffNote(models.Model):
    """A private word between the staff in a live conversation: the counsellor answering it
    and a supervisor who observes or joined it. The visitor never sees it: it travels only
    to console sockets (``conversation_staff.<id>``) and is shown only on console pages.
    Kept with the conversation as its staff notes; the purge takes it with the messages."""

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="staff_notes"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    author_name = models.CharField(max_length=40, blank=True)
    # Made by the page that sends it: a resend after a reconnect stores nothing twice.
    client_id = models.CharField(max_length=64)
    body = EncryptedTextField()
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["conversation", "created_at", "pk"]
        verbose_name = _("staff note")
        verbose_name_plural = _("staff notes")
        constraints = [
            models.UniqueConstraint(
                fields=["conversation", "client_id"], name="staff_note_client_id_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.conversation_id} note {self.pk}"

from __future__ import annotations

import datetime as dt
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, URLValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

MIDNIGHT = dt.time(0, 0)


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class OpeningHours(models.Model):
    """One period of the weekly schedule, in Europe/Helsinki time. Closing at 00:00 means
    open until midnight."""

    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    opens = models.TimeField(_("opens"))
    closes = models.TimeField(_("closes"), help_text=_("00:00 means midnight."))

    class Meta:
        ordering = ["weekday", "opens"]
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes__gt=models.F("opens")) | models.Q(closes=MIDNIGHT),
                name="helpline_hours_close_after_open",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}-{self.closes:%H:%M}"


class OpeningException(models.Model):
    """A date when the weekly schedule does not apply: closed, or open other hours."""

    date = models.DateField(_("date"), unique=True)
    closed = models.BooleanField(_("closed all day"), default=True)
    opens = models.TimeField(_("opens"), null=True, blank=True)
    closes = models.TimeField(_("closes"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=100, blank=True, help_text=_("e.g. Midsummer"))

    class Meta:
        ordering = ["date"]
        verbose_name = _("opening exception")
        verbose_name_plural = _("opening exceptions")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closed=True)
                | (
                    models.Q(opens__isnull=False, closes__isnull=False)
                    & (models.Q(closes__gt=models.F("opens")) | models.Q(closes=MIDNIGHT))
                ),
                name="helpline_exception_hours_valid",
            )
        ]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.note}".strip()


class FloodSwitch(models.Model):
    """Site-wide protection for new chats during a flood of abusive or automated visitors
    (one row). When on, starting a chat needs a small proof of work done by the browser, or,
    without JavaScript, a short wait in a waiting room. Nothing about the visitor is kept."""

    on = models.BooleanField(_("flood protection on"), default=False)
    bits = models.PositiveSmallIntegerField(
        _("work asked of each browser (bits)"),
        default=16,
        validators=[MinValueValidator(8), MaxValueValidator(24)],
        help_text=_("Each extra bit doubles the work: 16 takes about a second on a phone."),
    )
    wait_seconds = models.PositiveSmallIntegerField(
        _("waiting room without JavaScript, seconds"),
        default=20,
        validators=[MinValueValidator(5), MaxValueValidator(300)],
    )
    changed_at = models.DateTimeField(_("changed"), null=True, blank=True)
    changed_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("changed by"),
    )

    class Meta:
        verbose_name = _("flood protection")
        verbose_name_plural = _("flood protection")

    def __str__(self) -> str:
        return str(self._meta.verbose_name)

    @classmethod
    def current(cls) -> FloodSwitch:
        """The saved switch, or the default (off) while none is saved; never writes."""
        return cls.objects.filter(pk=1).first() or cls(pk=1)

    @classmethod
    def saved(cls) -> FloodSwitch:
        switch, _created = cls.objects.get_or_create(pk=1)
        return switch


class WaitingLimit(models.Model):
    """How long a visitor waits in the chat queue before the page offers to turn the chat
    into a message answered later (one row; ``conversations.services.queue``)."""

    chat_minutes = models.PositiveSmallIntegerField(
        _("longest wait for a chat, minutes"),
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(240)],
        help_text=_(
            "A visitor who has waited longer is offered to keep waiting or to leave the chat "
            "as a message that is answered later."
        ),
    )

    class Meta:
        verbose_name = _("waiting limit")
        verbose_name_plural = _("waiting limit")

    def __str__(self) -> str:
        return str(self._meta.verbose_name)

    @property
    def chat_seconds(self) -> int:
        return self.chat_minutes * 60

    @classmethod
    def current(cls) -> WaitingLimit:
        """The saved limit, or the default while none is saved; never writes."""
        return cls.objects.filter(pk=1).first() or cls(pk=1)

    @classmethod
    def saved(cls) -> WaitingLimit:
        row, _created = cls.objects.get_or_create(pk=1)
        return row


QUICK_EXIT_DEFAULT = "https://www.foreca.fi/"


class QuickExit(models.Model):
    """Where the quick exit sends a visitor's tab (one row): a neutral site chosen by the
    administrators, such as a weather or news site. The tab only navigates there; no public
    page loads anything from it beforehand, and it receives no referrer."""

    destination = models.URLField(
        _("quick exit destination"),
        max_length=300,
        default=QUICK_EXIT_DEFAULT,
        validators=[URLValidator(schemes=["https"])],
        help_text=_(
            "A well-known, harmless site that opens when a visitor presses Quick exit, "
            "e.g. a weather or news site. Only https addresses."
        ),
    )

    class Meta:
        verbose_name = _("quick exit")
        verbose_name_plural = _("quick exit")

    def __str__(self) -> str:
        return str(self._meta.verbose_name)

    @classmethod
    def current(cls) -> QuickExit:
        """The saved destination, or the default while none is saved; never writes."""
        return cls.objects.filter(pk=1).first() or cls(pk=1)

    @classmethod
    def saved(cls) -> QuickExit:
        row, _created = cls.objects.get_or_create(pk=1)
        return row


def validate_public_language(value: str) -> None:
    if value not in dict(settings.LANGUAGES):
        raise ValidationError(_("Choose one of the languages of the public pages."))


class InfoPage(models.Model):
    """One information page for families in one language (administrators edit these in the
    admin; the defaults in ``info_defaults.py`` are added when missing, never overwritten).

    The text is plain: blank lines separate paragraphs, a paragraph starting with "## " is a
    heading and one whose lines start with "- " is a list (``helpline.info.render_body``)."""

    slug = models.SlugField(_("page"), max_length=40)
    language = models.CharField(_("language"), max_length=8, validators=[validate_public_language])
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    title = models.CharField(_("title"), max_length=120)
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    body = models.TextField(_("text"))
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        ordering = ["order", "slug", "language"]
        verbose_name = _("information page")
        verbose_name_plural = _("information pages")
        constraints = [
            models.UniqueConstraint(fields=["slug", "language"], name="info_page_per_language")
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.language})"


def validate_phone_number(value: str) -> None:
    digits = sum(ch.isdigit() for ch in value)
    # E.164: at most 15 digits; and no national trunk 0 after the country code (+358 09…
    # dials nowhere from abroad or from a phone that adds the 0 itself).
    if not PHONE_NUMBER.fullmatch(value) or not 7 <= digits <= 15 or TRUNK_ZERO.match(value):
        raise ValidationError(
            _("An international number with its country code, e.g. +358 800 123 456."),
            code="phone_number",
        )


PHONE_NUMBER = re.compile(r"\+[1-9][0-9]{0,3}( ?[0-9]{1,5}){2,6}")
TRUNK_ZERO = re.compile(r"\+[0-9]{1,4} 0")


class LineNumber(models.Model):
    """A telephone number of the line as the public pages and partner materials print it.
    A row without a language is the line's number for every language that has none of its
    own (e.g. a number answered in Arabic)."""

    number = models.CharField(
        _("number"),
        max_length=24,
        validators=[validate_phone_number],
        help_text=_(
            "With the country code and spaces as it should be printed, e.g. +358 800 123 456."
        ),
    )
    language = models.CharField(
        _("language"),
        max_length=8,
        blank=True,
        validators=[validate_public_language],
        help_text=_("Empty: the number for every language without a number of its own."),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["language", "order", "pk"]
        verbose_name = _("line number")
        verbose_name_plural = _("line numbers")

    def __str__(self) -> str:
        return f"{self.number} ({self.language or '*'})"

    @property
    def tel(self) -> str:
        """The address of a ``tel:`` link: the digits with their leading plus."""
        return "+" + "".join(ch for ch in self.number if ch.isdigit())

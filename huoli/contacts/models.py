"""Contact records and the lists their fields choose from.

Every list is data (``ListEntry``): administrators add, rename, reorder, retire and translate
entries without code. A retired entry stays on old records and in statistics. The structured
fields outlive conversation content (statistics come from them); free text is encrypted.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from huoli.core.fields import EncryptedTextField


class ListEntry(models.Model):
    class Kind(models.TextChoices):
        CONTACT_TYPE = "contact_type", _("Type of contact")
        CONTACTING = "contacting", _("Who is contacting")
        AGE_BAND = "age_band", _("Age band")
        GENDER = "gender", _("Gender")
        MUNICIPALITY = "municipality", _("Municipality")
        CONCERN = "concern", _("Concern")
        STAGE = "stage", _("Stage")
        ACTION = "action", _("Action")
        HEARD_FROM = "heard_from", _("How they heard about us")

    kind = models.CharField(_("list"), max_length=20, choices=Kind.choices)
    code = models.SlugField(
        _("code"),
        max_length=40,
        help_text=_("A fixed identifier used by statistics; keep it when renaming."),
    )
    name_fi = models.CharField(_("name in Finnish"), max_length=120)
    name_sv = models.CharField(_("name in Swedish"), max_length=120, blank=True)
    name_en = models.CharField(_("name in English"), max_length=120, blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)
    active = models.BooleanField(
        _("in use"), default=True, help_text=_("Retired entries stay on old records.")
    )

    class Meta:
        ordering = ["kind", "position", "pk"]
        verbose_name = _("list entry")
        verbose_name_plural = _("list entries")
        constraints = [
            models.UniqueConstraint(fields=["kind", "code"], name="list_entry_code_unique")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        """The name in the active language: Finnish, Swedish or English where given, else
        Finnish; in another language (a public page) English, else Finnish."""
        return getattr(self, f"name_{self.name_language()}")

    def name_language(self) -> str:
        """The language ``name`` is in now: the active one if the entry has a name in it, else
        English (for a visitor language the lists are not kept in), else Finnish."""
        language = (get_language() or "fi").split("-")[0]
        if language in ("fi", "sv", "en") and getattr(self, f"name_{language}"):
            return language
        if language not in ("fi", "sv") and self.name_en:
            return "en"
        return "fi"


class YesNoUnknown(models.TextChoices):
    YES = "yes", _("Yes")
    NO = "no", _("No")
    UNKNOWN = "unknown", _("Unknown")


class RiskLevel(models.IntegerChoices):
    INFORMATION = 0, _("0 · Information only")
    CONCERN = 1, _("1 · Concern, no signs of extremism")
    IDEOLOGICAL = 2, _("2 · Ideological radicalisation, no signs of violence")
    VIOLENCE = 3, _("3 · Endorses violence, violent group or intends to travel")
    IMMINENT = 4, _("4 · Imminent danger: escalate")


ESCALATION_RISK = RiskLevel.IMMINENT
# A contact of this type needs nothing more than its type to be complete.
NON_COUNSELLING = "non_counselling"


def _entry(kind: str, verbose: str, **kwargs) -> models.ForeignKey:
    return models.ForeignKey(
        ListEntry,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"kind": kind},
        verbose_name=verbose,
        **kwargs,
    )


class ContactRecord(models.Model):
    class Channel(models.TextChoices):
        PHONE = "phone", _("Phone call")
        CHAT = "chat", _("Chat")
        MESSAGE = "message", _("Message")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        COMPLETE = "complete", _("Complete")

    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    counsellor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="contact_records",
        verbose_name=_("counsellor"),
    )
    conversation = models.ForeignKey(
        "conversations.Conversation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contact_records",
        verbose_name=_("conversation"),
    )
    case = models.ForeignKey(
        "cases.Case",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contact_records",
        verbose_name=_("case"),
    )
    # A returning visitor's earlier case, offered to the counsellor to attach.
    suggested_case = models.ForeignKey(
        "cases.Case",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    started_at = models.DateTimeField(_("start"), default=timezone.now, db_index=True)
    ended_at = models.DateTimeField(_("end"), null=True, blank=True)
    # The local (Europe/Helsinki) day of ``started_at``: statistics group by it natively.
    started_on = models.DateField(_("day"), db_index=True, editable=False, null=True)
    language = models.CharField(_("language of the contact"), max_length=8, blank=True)

    contact_type = _entry(ListEntry.Kind.CONTACT_TYPE, _("type of contact"))
    contacting = _entry(ListEntry.Kind.CONTACTING, _("who is contacting"))
    age_band = _entry(ListEntry.Kind.AGE_BAND, _("age of the person of concern"))
    gender = _entry(ListEntry.Kind.GENDER, _("gender of the person of concern"))
    minor = models.CharField(
        _("person of concern is a minor"), max_length=8, choices=YesNoUnknown.choices, blank=True
    )
    municipality = _entry(ListEntry.Kind.MUNICIPALITY, _("municipality"))
    person_language = models.CharField(
        _("language of the person of concern"), max_length=8, blank=True
    )
    recent_conversion = models.CharField(
        _("converted to a religion recently"),
        max_length=8,
        choices=YesNoUnknown.choices,
        blank=True,
    )
    concerns = models.ManyToManyField(
        ListEntry,
        blank=True,
        related_name="+",
        limit_choices_to={"kind": ListEntry.Kind.CONCERN},
        verbose_name=_("concerns"),
    )
    stage = _entry(ListEntry.Kind.STAGE, _("stage"))
    risk_level = models.PositiveSmallIntegerField(
        _("risk level"), choices=RiskLevel.choices, null=True, blank=True
    )
    actions = models.ManyToManyField(
        ListEntry,
        blank=True,
        related_name="+",
        limit_choices_to={"kind": ListEntry.Kind.ACTION},
        verbose_name=_("actions"),
    )
    heard_from = _entry(ListEntry.Kind.HEARD_FROM, _("how they heard about us"))
    heard_from_detail = EncryptedTextField(_("which one"), max_length=120, blank=True, default="")
    interpreter_used = models.BooleanField(_("interpreter used"), default=False)
    interpreter_language = models.CharField(_("interpreter's language"), max_length=8, blank=True)
    follow_up_wanted = models.BooleanField(_("follow-up wanted"), default=False)
    summary = EncryptedTextField(_("summary"), blank=True, default="")
    notes = EncryptedTextField(_("notes"), blank=True, default="")

    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("last saved"), default=timezone.now)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    # When the retention period took the summary and notes (the lists stay for statistics).
    text_purged_at = models.DateTimeField(_("text deleted"), null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("contact record")
        verbose_name_plural = _("contact records")
        indexes = [models.Index(fields=["counsellor", "status"], name="record_todo_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(risk_level__isnull=True) | models.Q(risk_level__lte=4),
                name="record_risk_level_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {timezone.localtime(self.started_at):%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        self.started_on = timezone.localtime(self.started_at).date()
        if kwargs.get("update_fields") is not None and "started_at" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "started_on"}
        super().save(*args, **kwargs)

    @property
    def language_name(self) -> str:
        """The contact's language by name in the reader's language ("Finnish", not "fi")."""
        return str(dict(settings.HUOLI_SPOKEN_LANGUAGES).get(self.language, self.language))

    @property
    def duration_minutes(self) -> int | None:
        if self.ended_at is None:
            return None
        return max(0, round((self.ended_at - self.started_at).total_seconds() / 60))

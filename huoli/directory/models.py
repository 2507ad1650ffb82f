"""The service directory (the city's basic services and partner organisations) and the
referrals counsellors record on contact records."""

from __future__ import annotations

import unicodedata
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

# A service not verified for this long is flagged to administrators.
VERIFY_EVERY = timedelta(days=365)
# A shared card's message id: "service-<service id>-<random>" (``services.service_share``).
SHARED_CARD_PREFIX = "service-"
TEXT_LANGUAGES = ("fi", "sv", "en")


def fold(text: str) -> str:
    """Lower case without accents, for search: "Perheneuvola" and "perhenéuvola" meet.
    Finnish å, ä and ö fold to a and o, which is what people type on a foreign keyboard."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def search_texts(service) -> tuple[str, str]:
    """The folded names, and the folded names and descriptions, in every language."""
    others = (service.other_languages or {}).values()
    names = [service.name_fi, service.name_sv, service.name_en]
    names += [texts.get("name", "") for texts in others]
    descriptions = [service.description_fi, service.description_sv, service.description_en]
    descriptions += [texts.get("description", "") for texts in others]
    # Joined by spaces: a word at the start of any name follows a space (or starts the text).
    return fold(" ".join(names)), fold(" ".join(names + descriptions))


class Service(models.Model):
    class Category(models.TextChoices):
        CHILD_WELFARE = "child_welfare", _("Child welfare")
        CRISIS_EMERGENCY = "crisis_emergency", _("Social and crisis emergency service")
        FAMILY_COUNSELLING = "family_counselling", _("Family counselling")
        YOUTH_CLINIC = "youth_clinic", _("Youth clinic")
        MENTAL_HEALTH = "mental_health", _("Low-threshold mental health")
        SCHOOL = "school", _("School health and welfare")
        YOUTH_SERVICES = "youth_services", _("Youth services")
        POLICE_PREVENTION = "police_prevention", _("Police prevention")
        EXIT_PROGRAMME = "exit_programme", _("Exit programme")
        CRISIS_LINE = "crisis_line", _("Crisis line and crisis centre")
        FAITH = "faith", _("Religious communities and interfaith work")
        LEGAL_AID = "legal_aid", _("Legal aid")
        GRIEF = "grief", _("Grief and bereavement support")
        EMERGENCY = "emergency", _("Emergency number")
        OTHER = "other", _("Other")

    key = models.SlugField(
        _("key"),
        max_length=80,
        unique=True,
        help_text=_("A fixed identifier; CSV import updates the service with the same key."),
    )
    name_fi = models.CharField(_("name in Finnish"), max_length=200)
    name_sv = models.CharField(_("name in Swedish"), max_length=200, blank=True)
    name_en = models.CharField(_("name in English"), max_length=200, blank=True)
    description_fi = models.TextField(_("description in Finnish"), blank=True)
    description_sv = models.TextField(_("description in Swedish"), blank=True)
    description_en = models.TextField(_("description in English"), blank=True)
    # Names and descriptions in further visitor languages: {"ar": {"name": .., "description": ..}}
    other_languages = models.JSONField(_("other languages"), default=dict, blank=True)
    category = models.CharField(_("category"), max_length=24, choices=Category.choices)
    municipality = models.CharField(_("municipality"), max_length=80, default="Helsinki")
    languages_served = models.JSONField(_("languages served"), default=list, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    web_address = models.URLField(_("web address"), blank=True)
    street_address = models.CharField(_("street address"), max_length=200, blank=True)
    opening_hours = models.CharField(_("opening hours"), max_length=200, blank=True)
    accepts_anonymous = models.BooleanField(_("accepts anonymous clients"), default=False)
    referral_needed = models.BooleanField(_("referral needed"), default=False)
    ages_served = models.CharField(_("ages served"), max_length=40, blank=True)
    last_verified = models.DateField(_("last verified"), null=True, blank=True)
    verify_before_use = models.BooleanField(
        _("verify before use"),
        default=False,
        help_text=_("Contact details are not certain: check them before giving them out."),
    )
    public = models.BooleanField(_("shown on the public page"), default=True)
    active = models.BooleanField(_("in use"), default=True)
    # Names and descriptions in every language, folded: what search looks in.
    search_text = models.TextField(editable=False, default="")
    name_text = models.TextField(editable=False, default="")

    class Meta:
        ordering = ["name_fi"]
        verbose_name = _("service")
        verbose_name_plural = _("services")
        indexes = [models.Index(fields=["active", "public", "category"], name="service_filter_idx")]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.name_text, self.search_text = search_texts(self)
        super().save(*args, **kwargs)

    def text_in(self, language: str, field: str) -> str:
        """``name`` or ``description`` in the language, else English, else Finnish."""
        return self.text_and_language(language, field)[0]

    def text_and_language(self, language: str, field: str) -> tuple[str, str]:
        """The text and the language it is actually in (for the page's ``lang`` marks)."""
        language = (language or "fi").split("-")[0]
        if language in TEXT_LANGUAGES:
            value = getattr(self, f"{field}_{language}")
        else:
            value = (self.other_languages or {}).get(language, {}).get(field, "")
        if value:
            return value, language
        if getattr(self, f"{field}_en"):
            return getattr(self, f"{field}_en"), "en"
        return getattr(self, f"{field}_fi"), "fi"

    @property
    def name_language(self) -> str:
        return self.text_and_language(get_language() or "fi", "name")[1]

    @property
    def description_language(self) -> str:
        return self.text_and_language(get_language() or "fi", "description")[1]

    @property
    def name(self) -> str:
        return self.text_in(get_language() or "fi", "name")

    @property
    def description(self) -> str:
        return self.text_in(get_language() or "fi", "description")

    @property
    def share_warnings(self) -> list[str]:
        """What the counsellor is told before sharing the card; sharing it then needs their
        confirmation (``services.service_share``)."""
        warnings = []
        if self.verify_before_use:
            warnings.append(
                str(_("Contact details are not certain: check them before giving them out."))
            )
        if not self.phone.strip() and not self.street_address.strip():
            warnings.append(str(_("This card has no phone number or address.")))
        return warnings

    @property
    def needs_verification(self) -> bool:
        return self.last_verified is None or (
            self.last_verified < timezone.localdate() - VERIFY_EVERY
        )


class Referral(models.Model):
    class Outcome(models.TextChoices):
        MADE = "made", _("Referral made with consent")
        DECLINED = "declined", _("Referral offered and declined")

    record = models.ForeignKey(
        "contacts.ContactRecord", on_delete=models.CASCADE, related_name="referrals"
    )
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="referrals")
    # Kept on the referral, so statistics by category outlive a change to the service.
    category = models.CharField(_("category"), max_length=24, choices=Service.Category.choices)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        constraints = [
            models.UniqueConstraint(fields=["record", "service"], name="one_referral_per_service")
        ]

    def __str__(self) -> str:
        return f"{self.service} · {self.get_outcome_display()}"

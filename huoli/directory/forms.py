from __future__ import annotations

from django import forms
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from huoli.directory.models import Service

BOOLEAN_FIELDS = ("accepts_anonymous", "referral_needed", "verify_before_use", "public", "active")


def language_codes() -> set[str]:
    return {code for code, _name in settings.HUOLI_SPOKEN_LANGUAGES}


def service_formfield(field, **kwargs):
    """A web address typed without a scheme is https (as Django 6 will assume)."""
    if isinstance(field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return field.formfield(**kwargs)


class ServiceForm(forms.ModelForm):
    """One service, as the admin and the CSV import check it."""

    class Meta:
        model = Service
        fields = [
            "key",
            "name_fi",
            "name_sv",
            "name_en",
            "description_fi",
            "description_sv",
            "description_en",
            "other_languages",
            "category",
            "municipality",
            "languages_served",
            "phone",
            "web_address",
            "street_address",
            "opening_hours",
            "accepts_anonymous",
            "referral_needed",
            "ages_served",
            "last_verified",
            "verify_before_use",
            "public",
            "active",
        ]
        formfield_callback = staticmethod(
            lambda field, **kwargs: service_formfield(field, **kwargs)
        )

    def clean_languages_served(self):
        languages = self.cleaned_data.get("languages_served") or []
        if not isinstance(languages, list) or not all(isinstance(c, str) for c in languages):
            raise forms.ValidationError(_("Give language codes, such as fi sv en."))
        unknown = sorted(set(languages) - language_codes())
        if unknown:
            raise forms.ValidationError(
                _("Unknown language code: %(codes)s.") % {"codes": ", ".join(unknown)}
            )
        return languages

    def clean_other_languages(self):
        value = self.cleaned_data.get("other_languages") or {}
        valid = isinstance(value, dict) and all(
            code in language_codes()
            and isinstance(texts, dict)
            and set(texts) <= {"name", "description"}
            and all(isinstance(t, str) for t in texts.values())
            for code, texts in value.items()
        )
        if not valid:
            raise forms.ValidationError(
                _('Write other languages as {"ar": {"name": "…", "description": "…"}}.')
            )
        return value


class ServiceSearchForm(forms.Form):
    """The directory filters, in the console and on the public page."""

    q = forms.CharField(label=_("Search services"), required=False, max_length=100)
    category = forms.ChoiceField(label=_("Category"), required=False)
    municipality = forms.ChoiceField(label=_("Municipality"), required=False)
    language = forms.ChoiceField(label=_("Language served"), required=False)
    anonymous = forms.BooleanField(label=_("Accepts anonymous clients"), required=False)

    def __init__(self, *args, municipalities: list[str] = (), **kwargs):
        super().__init__(*args, **kwargs)
        everything = [("", _("All"))]
        self.fields["category"].choices = everything + list(Service.Category.choices)
        self.fields["municipality"].choices = everything + [(m, m) for m in municipalities]
        self.fields["language"].choices = everything + [
            (code, name) for code, name in settings.HUOLI_SPOKEN_LANGUAGES
        ]

    def filters(self):
        from huoli.directory.selectors import ServiceFilters

        if not self.is_valid():
            return ServiceFilters()
        data = self.cleaned_data
        return ServiceFilters(
            query=data["q"],
            category=data["category"],
            municipality=data["municipality"],
            language=data["language"],
            anonymous=data["anonymous"],
        )

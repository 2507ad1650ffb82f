"""The contact record form: built for the keyboard (native controls in reading order, the
type of contact focused first, Tab moves on, letters choose in lists, Space ticks, arrows
pick risk)."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from huoli.contacts.models import ContactRecord, ListEntry, RiskLevel, YesNoUnknown
from huoli.contacts.selectors import list_entries

ENTRY_FIELDS = {
    "contact_type": ListEntry.Kind.CONTACT_TYPE,
    "contacting": ListEntry.Kind.CONTACTING,
    "age_band": ListEntry.Kind.AGE_BAND,
    "gender": ListEntry.Kind.GENDER,
    "municipality": ListEntry.Kind.MUNICIPALITY,
    "stage": ListEntry.Kind.STAGE,
    "heard_from": ListEntry.Kind.HEARD_FROM,
    "concerns": ListEntry.Kind.CONCERN,
    "actions": ListEntry.Kind.ACTION,
}
MULTIPLE = ("concerns", "actions")


def _language_choices():
    return [("", "—"), *[(code, name) for code, name in settings.HUOLI_SPOKEN_LANGUAGES]]


class EntryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class EntryMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class ContactRecordForm(forms.ModelForm):
    """The fields of a contact record; phone calls also say when and how long."""

    started_at = forms.DateTimeField(
        label=_("Start"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    duration = forms.IntegerField(
        label=_("Duration (minutes)"), required=False, min_value=0, max_value=24 * 60
    )
    language = forms.ChoiceField(label=_("Language of the contact"), required=False)
    person_language = forms.ChoiceField(
        label=_("Language of the person of concern"), required=False
    )
    interpreter_language = forms.ChoiceField(label=_("Interpreter's language"), required=False)

    class Meta:
        model = ContactRecord
        fields = [
            "contact_type",
            "contacting",
            "age_band",
            "gender",
            "minor",
            "municipality",
            "person_language",
            "recent_conversion",
            "concerns",
            "stage",
            "risk_level",
            "actions",
            "heard_from",
            "heard_from_detail",
            "interpreter_used",
            "interpreter_language",
            "follow_up_wanted",
            "summary",
            "notes",
        ]
        widgets = {
            "risk_level": forms.RadioSelect,
            "heard_from_detail": forms.TextInput,
            "summary": forms.Textarea(attrs={"rows": 3}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, phone: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        record = self.instance
        self.phone = phone
        for name, kind in ENTRY_FIELDS.items():
            if name in MULTIPLE:
                keep = list(getattr(record, name).values_list("pk", flat=True)) if record.pk else []
                field_class, widget = EntryMultipleChoiceField, forms.CheckboxSelectMultiple
            else:
                current = getattr(record, f"{name}_id")
                keep, field_class, widget = ([current] if current else []), EntryChoiceField, None
            old = self.fields[name]
            options = {"widget": widget} if widget else {"empty_label": "—"}
            self.fields[name] = field_class(
                queryset=list_entries(kind, keep=keep),
                required=False,
                label=old.label,
                **options,
            )
        self.fields["risk_level"].choices = list(RiskLevel.choices)
        for name in ("minor", "recent_conversion"):
            self.fields[name].choices = [("", "—"), *YesNoUnknown.choices]
        self.fields["risk_level"].required = False
        for name in ("language", "person_language", "interpreter_language"):
            self.fields[name].choices = _language_choices()
        if phone:
            self.fields["started_at"].required = True
            if not record.pk:
                self.initial.setdefault("started_at", timezone.localtime().replace(second=0))
                self.initial.setdefault("language", "fi")
            else:
                self.initial["started_at"] = timezone.localtime(record.started_at)
                self.initial["duration"] = record.duration_minutes
                self.initial["language"] = record.language
        else:
            for name in ("started_at", "duration", "language"):
                del self.fields[name]
        # The field filled in for every contact takes the focus, so a call is logged without
        # the mouse; a call's start is already now, so it comes after its duration and is
        # passed over (a date-time field holds a Tab stop for each of its parts).
        self.fields["contact_type"].widget.attrs["autofocus"] = True

    def record_fields(self) -> dict:
        """Cleaned values to set on the record (not the many-to-many ones)."""
        data = self.cleaned_data
        fields = {
            name: data[name] for name in self.Meta.fields if name not in MULTIPLE and name in data
        }
        if self.phone:
            started = data.get("started_at") or timezone.now()
            fields["started_at"] = started
            fields["language"] = data.get("language") or ""
            minutes = data.get("duration")
            fields["ended_at"] = started + timedelta(minutes=minutes) if minutes else None
        return fields

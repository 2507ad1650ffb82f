from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from huoli.cases.models import CASE_NUMBER_ALPHABET, CASE_NUMBER_LENGTH
from huoli.cases.services import normalise_case_number
from huoli.conversations.models import Conversation


class LoginForm(forms.Form):
    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        max_length=1024,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class TokenForm(forms.Form):
    token = forms.CharField(
        label=_("Code from your authenticator app"),
        max_length=12,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "autofocus": True,
                "pattern": "[0-9 ]*",
            }
        ),
    )

    def clean_token(self):
        token = self.cleaned_data["token"].replace(" ", "")
        if not token.isdigit() or len(token) != 6:
            raise forms.ValidationError(_("Enter the six digits your app shows."))
        return token


class CounsellorProfileForm(forms.Form):
    display_name = forms.CharField(
        label=_("Display name"),
        max_length=40,
        help_text=_("Shown to visitors. A first name is enough."),
    )
    languages = forms.MultipleChoiceField(
        label=_("Languages you speak"),
        choices=settings.HUOLI_SPOKEN_LANGUAGES,
        widget=forms.CheckboxSelectMultiple,
    )
    max_chats = forms.IntegerField(
        label=_("Chats at once"),
        min_value=1,
        max_value=6,
        help_text=_("How many chats you can answer at the same time."),
    )
    takes_calls = forms.BooleanField(
        label=_("I take calls"),
        required=False,
        help_text=_(
            "While you are on duty, calls to the line ring in your console. A call counts "
            "as one of your chats at once."
        ),
    )
    notify_sound = forms.BooleanField(
        label=_("Play a sound"),
        required=False,
        help_text=_(
            "A calm chime when a chat, call or message comes into the queue, a visitor writes "
            "in one of your chats or an escalation needs you."
        ),
    )
    notify_volume = forms.IntegerField(
        label=_("Volume"),
        required=False,
        min_value=0,
        max_value=100,
        widget=forms.NumberInput(attrs={"type": "range", "step": 5}),
        help_text=_("From 0 (silent) to 100."),
    )
    notify_desktop = forms.BooleanField(
        label=_("Show desktop notifications"),
        required=False,
        help_text=_(
            "Only what happened, e.g. “A new chat is waiting”: never a name, a language or "
            "what anyone wrote. Your browser asks you to allow them once."
        ),
    )


class ConversationFilterForm(forms.Form):
    """The filters of the list of conversations, kept in the URL (a GET form). Only
    metadata: message texts are encrypted and cannot be searched."""

    started_from = forms.DateField(
        label=_("Started from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    started_to = forms.DateField(
        label=_("Started until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    status = forms.ChoiceField(label=_("Status"), required=False)
    kind = forms.ChoiceField(label=_("Channel"), required=False)
    language = forms.ChoiceField(label=_("Language"), required=False)
    counsellor = forms.TypedChoiceField(
        label=_("Counsellor"), required=False, coerce=int, empty_value=None
    )
    case = forms.CharField(
        label=_("Case number"),
        required=False,
        max_length=12,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    flagged = forms.ChoiceField(
        label=_("Flagged as abusive"),
        required=False,
        choices=[("", _("All")), ("yes", _("Flagged")), ("no", _("Not flagged"))],
    )

    def __init__(self, *args, counsellors, **kwargs):
        """``counsellors``: the staff the user may filter by (a counsellor only themselves)."""
        super().__init__(*args, **kwargs)
        everyone = [("", _("All"))]
        self.fields["status"].choices = everyone + list(Conversation.Status.choices)
        self.fields["kind"].choices = everyone + list(Conversation.Kind.choices)
        self.fields["language"].choices = everyone + list(settings.HUOLI_SPOKEN_LANGUAGES)
        self.fields["counsellor"].choices = everyone + [
            (user.pk, user.display_name) for user in counsellors
        ]

    # Dates a database holds once moved to UTC and a day on (year 1 or 9999 gave a 500).
    YEARS = range(2000, 3000)

    def _clean_date(self, name: str):
        day = self.cleaned_data[name]
        if day is not None and day.year not in self.YEARS:
            raise forms.ValidationError(self.fields[name].error_messages["invalid"])
        return day

    def clean_started_from(self):
        return self._clean_date("started_from")

    def clean_started_to(self):
        return self._clean_date("started_to")

    def clean_case(self) -> str:
        number = normalise_case_number(self.cleaned_data["case"])
        if number and (
            len(number) != CASE_NUMBER_LENGTH
            or any(ch not in CASE_NUMBER_ALPHABET for ch in number)
        ):
            raise forms.ValidationError(
                _("Enter a case number as it is written, for example ACD-E34.")
            )
        return number

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("started_from"), cleaned.get("started_to")
        if start and end and start > end:
            self.add_error("started_to", _("The end date is before the start date."))
        return cleaned

    def filters(self) -> dict:
        """The keyword arguments of ``conversations_list_for`` (the form must be valid)."""
        data = self.cleaned_data
        return {
            "started_from": data["started_from"],
            "started_to": data["started_to"],
            "status": data["status"],
            "kind": data["kind"],
            "language": data["language"],
            "counsellor": data["counsellor"],
            "case_number": data["case"],
            "flagged": {"yes": True, "no": False}.get(data["flagged"]),
        }


class CampaignChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.code} \u2013 {obj.name}"


class CampaignForm(forms.Form):
    """The campaign code the partner materials carry (a GET form): none, or an active one."""

    c = CampaignChoiceField(
        label=_("Campaign code"),
        queryset=None,
        to_field_name="code",
        required=False,
        empty_label=_("None: the plain address"),
        help_text=_(
            "The QR codes and the badge's link then carry the code (?c=…), and conversations "
            "and call-backs started from them are counted under it. Nothing else is recorded."
        ),
    )

    def __init__(self, *args, campaigns, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["c"].queryset = campaigns

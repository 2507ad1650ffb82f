from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _


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

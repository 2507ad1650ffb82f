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

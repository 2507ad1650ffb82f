from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from huoli.calls.forms import CallbackForm as BaseCallbackForm
from huoli.conversations.models import MAX_MESSAGE_CHARS, Feedback


def visitor_language_choices():
    return [(code, name) for code, name in settings.HUOLI_SPOKEN_LANGUAGES]


# Django's own messages are not translated into every visitor language (Somali has no Django
# catalogue at all), so the public forms use ours.
ERRORS = {
    "required": _("Please fill in this field."),
    "max_length": _("This is too long: at most %(limit_value)d characters (now %(show_value)d)."),
    "invalid_choice": _("Choose one of the options."),
}


class VisitorForm(forms.Form):
    """A public form: our own error messages on every field."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.error_messages.update(ERRORS)
            for validator in field.validators:
                if getattr(validator, "code", "") == "max_length":
                    validator.message = ERRORS["max_length"]


class StartChatForm(VisitorForm):
    nickname = forms.CharField(
        label=_("Nickname (optional)"),
        required=False,
        max_length=40,
        help_text=_("Any name you like. You do not have to give one."),
    )
    language = forms.ChoiceField(label=_("Language of the chat"), choices=visitor_language_choices)


class MessageForm(VisitorForm):
    body = forms.CharField(
        label=_("Message"),
        max_length=MAX_MESSAGE_CHARS,
        widget=forms.Textarea(attrs={"rows": 6, "maxlength": MAX_MESSAGE_CHARS}),
    )
    client_id = forms.CharField(widget=forms.HiddenInput, max_length=64)


class NewMessageForm(MessageForm):
    nickname = forms.CharField(label=_("Nickname (optional)"), required=False, max_length=40)
    language = forms.ChoiceField(label=_("Language"), choices=visitor_language_choices)


class ReturnForm(VisitorForm):
    code = forms.CharField(
        label=_("Return code"),
        max_length=40,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "off", "spellcheck": "false"}
        ),
    )


class FeedbackForm(VisitorForm):
    answer = forms.ChoiceField(
        label=_("Was this conversation helpful?"),
        choices=Feedback.Answer.choices,
        widget=forms.RadioSelect,
    )


class CallbackForm(VisitorForm, BaseCallbackForm):
    """The public call-back form (issue 16), with the visitor forms' own error texts."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["time_1"].error_messages["required"] = _(
            "Choose at least one time that suits you."
        )

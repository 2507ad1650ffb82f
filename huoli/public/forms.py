import datetime as dt

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

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


class CallbackForm(VisitorForm):
    """A call-back request (issue 16): the number, up to three two-hour times from the
    line's opening hours in the coming week (one list grouped by day, so only times the line
    offers can be chosen, without JavaScript too), the language, and what we may say."""

    number = forms.CharField(
        label=_("Phone number"),
        max_length=32,
        help_text=_("We delete the number as soon as the call-back is done or cancelled."),
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "tel"}),
    )
    language = forms.ChoiceField(label=_("Language of the call"), choices=visitor_language_choices)
    interpreter = forms.BooleanField(label=_("I need an interpreter"), required=False)
    may_say_helpline = forms.TypedChoiceField(
        label=_("If someone else answers, may we say we are calling from the helpline?"),
        choices=[
            ("no", _("No. Ask only for me, by the name or word below.")),
            ("yes", _("Yes")),
        ],
        coerce=lambda value: value == "yes",
        initial="no",
        widget=forms.RadioSelect,
    )
    ask_for = forms.CharField(
        label=_("First name or a word we ask for (optional)"),
        required=False,
        max_length=40,
        help_text=_("It need not be your real name."),
    )

    TIMES = 3

    def __init__(self, *args, days=(), day_label=str, **kwargs):
        super().__init__(*args, **kwargs)
        # One list of the times offered, grouped by day: only pairs the line offers.
        choices = [("", _("Choose a time"))] + [
            (
                day_label(day.day),
                [
                    (
                        f"{day.day.isoformat()}/{hour}",
                        f"{hour:02d}\u2013{(hour + 2) % 24 or 24:02d}",
                    )
                    for hour in day.hours
                ],
            )
            for day in days
        ]
        for n in range(1, self.TIMES + 1):
            self.fields[f"time_{n}"] = forms.ChoiceField(
                label=_("Time %(n)s") % {"n": n}, choices=choices, required=n == 1
            )
            self.fields[f"time_{n}"].error_messages.update(ERRORS)
        self.fields["time_1"].error_messages["required"] = _(
            "Choose at least one time that suits you."
        )

    def time_fields(self):
        return [self[f"time_{n}"] for n in range(1, self.TIMES + 1)]

    def clean(self):
        data = super().clean()
        slots = []
        for n in range(1, self.TIMES + 1):
            value = data.get(f"time_{n}")
            if value:
                day, _sep, hour = value.partition("/")
                slots.append((dt.date.fromisoformat(day), int(hour)))
        data["slots"] = slots
        return data

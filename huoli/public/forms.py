from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from huoli.conversations.models import MAX_MESSAGE_CHARS, Feedback


def visitor_language_choices():
    return [(code, name) for code, name in settings.HUOLI_SPOKEN_LANGUAGES]


class StartChatForm(forms.Form):
    nickname = forms.CharField(
        label=_("Nickname (optional)"),
        required=False,
        max_length=40,
        help_text=_("Any name you like. You do not have to give one."),
    )
    language = forms.ChoiceField(label=_("Language of the chat"), choices=visitor_language_choices)


class MessageForm(forms.Form):
    body = forms.CharField(
        label=_("Message"),
        max_length=MAX_MESSAGE_CHARS,
        widget=forms.Textarea(attrs={"rows": 6, "maxlength": MAX_MESSAGE_CHARS}),
    )
    client_id = forms.CharField(widget=forms.HiddenInput, max_length=64)


class NewMessageForm(MessageForm):
    nickname = forms.CharField(label=_("Nickname (optional)"), required=False, max_length=40)
    language = forms.ChoiceField(label=_("Language"), choices=visitor_language_choices)


class ReturnForm(forms.Form):
    code = forms.CharField(
        label=_("Return code"),
        max_length=40,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "off", "spellcheck": "false"}
        ),
    )


class FeedbackForm(forms.Form):
    answer = forms.ChoiceField(
        label=_("Was this conversation helpful?"),
        choices=Feedback.Answer.choices,
        widget=forms.RadioSelect,
    )

"""The call-back request's form (issue 16), shared by the public page and the console (a
counsellor asks for one on a family's behalf)."""

from __future__ import annotations

import datetime as dt
from datetime import timedelta

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from huoli.calls.selectors import callback_slots
from huoli.helpline.models import Weekday


def visitor_language_choices():
    return [(code, name) for code, name in settings.HUOLI_SPOKEN_LANGUAGES]


def day_label(day: dt.date) -> str:
    """ "Today", "Tomorrow", else the weekday and the date ("Wednesday 3.3.")."""
    today = timezone.localdate()
    if day == today:
        return gettext("Today")
    if day == today + timedelta(days=1):
        return gettext("Tomorrow")
    # Our own weekday names: they are translated into every visitor language (Django's are
    # not, e.g. Somali has no catalogue).
    return f"{Weekday(day.weekday()).label} {day.day}.{day.month}."


class CallbackForm(forms.Form):
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

    def __init__(self, *args, days=None, day_label=day_label, **kwargs):
        days = callback_slots() if days is None else days
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

    def time_fields(self):
        return [self[f"time_{n}"] for n in range(1, self.TIMES + 1)]

    def request_fields(self) -> dict:
        """The cleaned form as ``callbacks.callback_request``'s keyword arguments."""
        data = self.cleaned_data
        return {
            "language": data["language"],
            "number": data["number"],
            "slots": data["slots"],
            "interpreter_needed": data["interpreter"],
            "may_say_helpline": data["may_say_helpline"],
            "ask_for": data["ask_for"],
        }

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

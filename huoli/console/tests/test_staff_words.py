"""Staff words in the right sense (issue 21, point 3): a status is an adjective or a participle
("Avoin", "Öppet"), not the verb on a button ("Avaa", "Öppna"); a kind or a period is a noun.
One English word can need two translations: those carry a context (pgettext)."""

import pytest
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext

from huoli.calls.models import Call
from huoli.cases.models import Case
from huoli.contacts.models import ContactRecord, ListEntry
from huoli.conversations.models import Conversation
from huoli.escalations.models import Escalation
from huoli.reports.forms import RangeForm

# Every status, kind and period a counsellor or an analyst reads, as fi and sv should say it.
GLOSSARY = {
    Case.Status.OPEN: ("Avoin", "Öppet"),
    Case.Status.WAITING: ("Odottaa", "Väntar"),
    Case.Status.CLOSED: ("Suljettu", "Avslutat"),
    Conversation.Status.QUEUED: ("Odottaa", "Väntar"),
    Conversation.Status.ACTIVE: ("Käynnissä", "Pågår"),
    Conversation.Status.ENDED: ("Päättynyt", "Avslutat"),
    Conversation.Kind.CHAT: ("Chatti", "Chatt"),
    Conversation.Kind.MESSAGE: ("Viesti", "Meddelande"),
    Conversation.Kind.CALL: ("Puhelu", "Telefonsamtal"),
    ContactRecord.Status.DRAFT: ("Luonnos", "Utkast"),
    ContactRecord.Status.COMPLETE: ("Valmis", "Klar"),
    Call.Outcome.ANSWERED: ("Vastattu", "Besvarat"),
    Escalation.Status.DECIDED: ("Päätetty", "Beslutat"),
    ListEntry.Kind.CONCERN: ("Huolen aihe", "Orosområde"),
}
PERIODS = {
    "month": ("Kuukausi", "Månad"),
    "quarter": ("Vuosineljännes", "Kvartal"),
    "year": ("Vuosi", "År"),
    "custom": ("Muu ajanjakso", "Annan period"),
}


@pytest.mark.parametrize("language", ["fi", "sv"])
def test_statuses_kinds_and_periods_read_in_the_right_sense(language):
    column = 0 if language == "fi" else 1
    with translation.override(language):
        found = {choice: str(choice.label) for choice in GLOSSARY}
        periods = dict(RangeForm(any_range=True).fields["period"].choices)
        found_periods = {key: str(periods[key]) for key in PERIODS}
    assert found == {choice: words[column] for choice, words in GLOSSARY.items()}
    assert found_periods == {key: words[column] for key, words in PERIODS.items()}


def test_the_visitors_open_button_stays_a_verb():
    """The return page's button shares the English word with the case status."""
    with translation.override("fi"):
        assert gettext("Open") == "Avaa"
        assert str(Case.Status.OPEN.label) == "Avoin"
    with translation.override("sv"):
        assert gettext("Open") == "Öppna"


@pytest.mark.parametrize(("language", "word"), [("fi", "Puhelussa"), ("sv", "I samtal")])
def test_the_softphone_names_a_call_in_progress_not_the_verb(language, word):
    with translation.override(language):
        html = render_to_string("console/_phone.html", {"csrf_token": "x"})
    assert f'<span data-key="talking">{word}</span>' in html

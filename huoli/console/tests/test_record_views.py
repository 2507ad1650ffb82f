"""Record, case and escalation pages over HTTP: autosave, forms without JavaScript, and
object-level access (changing an id gives a 404, as if the object did not exist)."""

import datetime as dt
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from huoli.accounts.tests.factories import log_in_with_device
from huoli.cases.services import case_create
from huoli.contacts.models import ContactRecord, ListEntry
from huoli.contacts.services import case_create_for_record
from huoli.contacts.tests.factories import PhoneCallFactory
from huoli.conversations.services.queue import conversation_take, duty_set
from huoli.conversations.tests.factories import chat_start
from huoli.core.models import AuditEntry
from huoli.core.roles import Role
from huoli.escalations.models import Escalation
from huoli.escalations.services import escalation_open

pytestmark = pytest.mark.django_db

AUTOSAVE = {"HTTP_X_HUOLI_AUTOSAVE": "1", "HTTP_ACCEPT_LANGUAGE": "en"}


def entry(kind, code):
    return ListEntry.objects.get(kind=kind, code=code).pk


def call_form(**extra):
    return {
        "started_at": "2026-11-28T10:15",
        "duration": "5",
        "language": "fi",
        **extra,
    }


def test_autosave_creates_the_call_once_and_then_updates_it(client, logged_in):
    counsellor = logged_in(Role.COUNSELLOR)
    first = client.post("/console/calls/new/", call_form(summary="Äiti soitti"), **AUTOSAVE)
    assert first.status_code == 200
    url = first.json()["url"]
    assert first.json()["saved"].startswith("Draft saved at")
    record = ContactRecord.objects.get()
    assert url == f"/console/records/{record.pk}/"
    again = client.post(
        url, call_form(summary="Äiti soitti pojasta", contacting=entry("contacting", "mother")),
        **AUTOSAVE,
    )  # fmt: skip
    assert again.json()["url"] == url
    record.refresh_from_db()
    assert ContactRecord.objects.count() == 1
    assert (record.summary, record.contacting.code) == ("Äiti soitti pojasta", "mother")
    assert (record.counsellor, record.status, record.duration_minutes) == (counsellor, "draft", 5)


def test_bad_input_is_answered_and_nothing_is_saved(client, logged_in):
    logged_in(Role.COUNSELLOR)
    response = client.post(
        "/console/calls/new/", call_form(duration="-3"), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    assert "Ensure this value is greater than or equal to 0" in response.content.decode()
    bad = client.post("/console/calls/new/", call_form(contact_type="999999"), **AUTOSAVE)
    assert bad.status_code == 400 and bad.json()["error"] == "Check the highlighted fields."
    assert ContactRecord.objects.count() == 0


def test_completing_without_javascript_shows_what_is_missing(client, logged_in):
    logged_in(Role.COUNSELLOR)
    response = client.post(
        "/console/calls/new/", call_form(complete="1"), HTTP_ACCEPT_LANGUAGE="en", follow=True
    )
    assert "To complete the record, fill in: type of contact." in response.content.decode()
    record = ContactRecord.objects.get()
    assert record.status == "draft"  # the draft itself was kept
    done = client.post(
        f"/console/records/{record.pk}/",
        call_form(complete="1", contact_type=entry("contact_type", "information")) | {
            "contacting": entry("contacting", "school"),
            "concerns": [entry("concern", "information")],
            "risk_level": "0",
        },
        HTTP_ACCEPT_LANGUAGE="en",
        follow=True,
    )  # fmt: skip
    assert "The contact record is complete." in done.content.decode()
    record.refresh_from_db()
    assert record.status == "complete"


def test_risk_level_4_without_javascript_leads_to_the_escalation(client, logged_in):
    logged_in(Role.COUNSELLOR)
    response = client.post("/console/calls/new/", call_form(risk_level="4"))
    escalation = Escalation.objects.get()
    assert response["Location"] == f"/console/escalations/{escalation.pk}/"


def test_risk_level_4_by_autosave_opens_one_escalation(client, logged_in):
    logged_in(Role.COUNSELLOR)
    first = client.post("/console/calls/new/", call_form(risk_level="4"), **AUTOSAVE)
    escalation = Escalation.objects.get()
    assert first.json()["escalation_url"] == f"/console/escalations/{escalation.pk}/"
    again = client.post(first.json()["url"], call_form(risk_level="4", summary="x"), **AUTOSAVE)
    assert again.json()["escalation_url"] == ""
    assert Escalation.objects.count() == 1


def test_risk_level_4_on_a_chat_record_opens_one_escalation_for_its_conversation(client, logged_in):
    counsellor = logged_in(Role.COUNSELLOR)
    access = chat_start(language="fi")
    duty_set(user=counsellor, on_duty=True)
    conversation_take(counsellor=counsellor, conversation_id=access.conversation.pk)
    record = ContactRecord.objects.get(conversation=access.conversation)
    url = f"/console/records/{record.pk}/"
    response = client.post(url, {"risk_level": "4"})
    escalation = Escalation.objects.get()
    assert response["Location"] == f"/console/escalations/{escalation.pk}/"
    assert (escalation.record, escalation.conversation) == (record, access.conversation)
    again = client.post(url, {"risk_level": "4", "summary": "x"}, **AUTOSAVE)
    assert again.json()["escalation_url"] == ""
    assert client.post(url, {"risk_level": "4"})["Location"] == url
    assert Escalation.objects.count() == 1


@pytest.fixture
def other_counsellors_work(enrolled):
    """A record, a case and an escalation belonging to another counsellor."""
    owner, _device = enrolled(Role.COUNSELLOR)
    record = PhoneCallFactory(counsellor=owner, summary="salainen")
    case = case_create_for_record(record=record, by=owner)
    escalation = escalation_open(by=owner, record=record)
    return record, case, escalation


def test_changing_an_id_in_the_address_shows_nothing_of_another_counsellors_work(
    client, logged_in, other_counsellors_work
):
    record, case, escalation = other_counsellors_work
    logged_in(Role.COUNSELLOR)
    for url in (
        f"/console/records/{record.pk}/",
        f"/console/cases/{case.number}/",
        f"/console/escalations/{escalation.pk}/",
    ):
        assert client.get(url).status_code == 404
    assert client.post(f"/console/records/{record.pk}/", call_form()).status_code == 404
    assert (
        client.post(
            f"/console/records/{record.pk + 1000}/case/", {"case_number": case.number}
        ).status_code
        == 404
    )
    attach = PhoneCallFactory(counsellor=logged_in_user(client))
    assert (
        client.post(f"/console/records/{attach.pk}/case/", {"case_number": case.number}).status_code
        == 404
    )
    assert ContactRecord.objects.get(pk=attach.pk).case is None


def logged_in_user(client):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(pk=client.session["_auth_user_id"])


def test_supervisors_open_any_case_and_every_look_is_audited(
    client, logged_in, other_counsellors_work
):
    _record, case, escalation = other_counsellors_work
    supervisor = logged_in(Role.SUPERVISOR)
    assert client.get(f"/console/cases/{case.number}/").status_code == 200
    assert client.get(f"/console/escalations/{escalation.pk}/").status_code == 200
    looks = AuditEntry.objects.filter(actor_id=supervisor.pk).values_list("action", flat=True)
    assert {"case.read", "escalation.read"} <= set(looks)


def test_analysts_see_no_records_cases_or_escalations(client, logged_in, other_counsellors_work):
    record, case, escalation = other_counsellors_work
    logged_in(Role.ANALYST)
    for url in (
        f"/console/records/{record.pk}/",
        f"/console/cases/{case.number}/",
        f"/console/escalations/{escalation.pk}/",
        "/console/cases/",
        "/console/calls/new/",
    ):
        assert client.get(url).status_code == 403


def test_only_a_supervisor_decides(client, logged_in, enrolled):
    counsellor = logged_in(Role.COUNSELLOR)
    record = PhoneCallFactory(counsellor=counsellor)
    escalation = escalation_open(by=counsellor, record=record)
    url = f"/console/escalations/{escalation.pk}/"
    client.post(url, {"action": "decide", "decision": "no_action", "reason": "ok"})
    escalation.refresh_from_db()
    assert escalation.status == "open"
    supervisor, device = enrolled(Role.SUPERVISOR)
    other = log_in_with_device(Client(), supervisor, device)
    other.post(url, {"action": "acknowledge"})
    other.post(url, {"action": "decide", "decision": "no_action", "reason": "Ei uhkaa."})
    escalation.refresh_from_db()
    assert (escalation.status, escalation.decision) == ("decided", "no_action")


def test_case_search_page_finds_by_number(client, logged_in):
    counsellor = logged_in(Role.COUNSELLOR)
    wanted = case_create(by=counsellor, title="Perhe Virtanen")
    case_create(by=counsellor, title="Perhe Nieminen")
    page = client.get("/console/cases/", {"number": wanted.display_number.lower()})
    text = page.content.decode()
    assert "Perhe Virtanen" in text and "Perhe Nieminen" not in text
    empty = client.get("/console/cases/", {"number": "ZZZZZZ"}, HTTP_ACCEPT_LANGUAGE="en")
    assert "No case matches" in empty.content.decode()


def test_a_call_back_number_is_kept_encrypted_audited_without_the_number_and_checked(
    client, logged_in
):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    logged_in(Role.COUNSELLOR)
    client.post("/console/calls/new/", call_form(risk_level="4"))
    escalation = Escalation.objects.get()
    url = f"/console/escalations/{escalation.pk}/"
    page = client.get(url).content.decode()
    assert 'name="callback"' in page and "deleted 30 days after the decision" in page
    refused = client.post(url, {"action": "callback", "callback": "call me"}, follow=True)
    assert "Write the number with digits only" in refused.content.decode()
    client.post(url, {"action": "callback", "callback": "+358 40 123  4567"})
    escalation.refresh_from_db()
    assert escalation.callback_number == "+358 40 123 4567"
    with connection.cursor() as cursor:
        cursor.execute("SELECT callback_number FROM cases_escalation")
        assert "4567" not in cursor.fetchone()[0]
    entry = AuditEntry.objects.get(action="escalation.callback")
    assert "4567" not in str(entry.data)
    assert 'value="+358 40 123 4567"' in client.get(url).content.decode()


def test_log_a_call_focuses_the_type_of_contact_and_puts_the_start_last(client, logged_in):
    """Issue 21, point 12: the start (already now) neither takes the focus nor comes first."""
    import re

    logged_in(Role.COUNSELLOR)
    html = client.get("/console/calls/new/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    focused = re.findall(r"<(?:select|input)[^>]*\bautofocus\b[^>]*>", html)
    assert len(focused) == 1 and 'name="contact_type"' in focused[0]
    order = ["contact_type", "contacting", "duration", "language", "started_at"]
    positions = [html.index(f'id="id_{name}"') for name in order]
    assert positions == sorted(positions)


class _Ids(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids, self.label_targets = [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.append(attrs["id"])
        if tag == "label" and attrs.get("for"):
            self.label_targets.append(attrs["for"])


def test_the_record_and_conversation_pages_have_no_duplicate_ids(client, logged_in):
    """The record form and the directory panel both have a municipality field: a label of one
    must not focus the other."""
    counsellor = logged_in(Role.COUNSELLOR)
    access = chat_start(language="fi")
    duty_set(user=counsellor, on_duty=True)
    conversation_take(counsellor=counsellor, conversation_id=access.conversation.pk)
    record = ContactRecord.objects.get(conversation=access.conversation)
    call = PhoneCallFactory(counsellor=counsellor)
    for url in (
        f"/console/records/{record.pk}/",
        f"/console/records/{call.pk}/",
        f"/console/conversations/{access.conversation.pk}/",
    ):
        page = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
        assert page.status_code == 200, url
        parser = _Ids()
        parser.feed(page.content.decode())
        duplicates = sorted({i for i in parser.ids if parser.ids.count(i) > 1})
        assert duplicates == [], url
        assert set(parser.label_targets) <= set(parser.ids), url


def completed_form(**extra):
    data = {"contact_type": entry("contact_type", "information")}
    data |= {
        "contacting": entry("contacting", "school"),
        "concerns": [entry("concern", "information")],
        "risk_level": "0",
        "complete": "1",
    }
    return data | extra


def test_complete_record_leads_on_to_the_next_record_to_complete_then_home(client, logged_in):
    """Issue 21: after "Complete record" the counsellor returns to the console's home, or to
    the next record they have to complete."""
    counsellor = logged_in(Role.COUNSELLOR)
    now = timezone.now()
    first, second = (
        PhoneCallFactory(counsellor=counsellor, started_at=now - dt.timedelta(hours=hours))
        for hours in (2, 1)
    )
    response = client.post(f"/console/records/{first.pk}/", call_form(**completed_form()))
    assert response.status_code == 302
    assert response["Location"] == f"/console/records/{second.pk}/"
    response = client.post(f"/console/records/{second.pk}/", call_form(**completed_form()))
    assert response["Location"] == "/console/"
    assert set(ContactRecord.objects.values_list("status", flat=True)) == {"complete"}
    # A record that cannot be completed yet stays on its page with what is missing.
    third = PhoneCallFactory(counsellor=counsellor)
    response = client.post(f"/console/records/{third.pk}/", call_form(complete="1"))
    assert response["Location"] == f"/console/records/{third.pk}/"


def test_a_chat_record_offers_the_services_shared_as_referrals(client, logged_in):
    from huoli.directory.models import Service
    from huoli.directory.services import service_share

    counsellor = logged_in(Role.COUNSELLOR)
    access = chat_start(language="en", interpreter_needed=True)
    duty_set(user=counsellor, on_duty=True)
    conversation = conversation_take(counsellor=counsellor, conversation_id=access.conversation.pk)
    clinic = Service.objects.get(key="family-counselling-clinic")
    service_share(service=clinic, conversation=conversation, by=counsellor, confirmed=True)
    record = ContactRecord.objects.get(conversation=conversation)
    page = client.get(f"/console/records/{record.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    text = page.content.decode()
    assert "Shared in this conversation" in text
    assert f'action="/console/directory/{clinic.pk}/refer/"' in text
    assert f'name="record" value="{record.pk}"' in text

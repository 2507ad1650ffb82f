import csv
import io

import pytest
from django.utils import timezone, translation

from huoli.accounts.tests.factories import StaffFactory
from huoli.contacts.models import ContactRecord
from huoli.conversations.errors import ConversationError
from huoli.conversations.services.messages import message_post
from huoli.conversations.services.queue import conversation_end
from huoli.conversations.tests.factories import chat_taken
from huoli.core.roles import Role
from huoli.directory.models import Referral, Service, fold
from huoli.directory.selectors import (
    ServiceFilters,
    service_search,
    services_shared_to_refer,
    services_to_verify,
)
from huoli.directory.services import (
    referral_record,
    service_card,
    service_share,
    services_export_csv,
    services_import_csv,
)
from huoli.directory.tests.factories import ServiceFactory

pytestmark = pytest.mark.django_db


def names(services):
    return [s.key for s in services]


def test_the_helsinki_defaults_are_seeded_and_uncertain_details_flagged():
    assert Service.objects.count() == 15
    emergency = Service.objects.get(key="emergency-112")
    assert emergency.phone == "112" and not emergency.verify_before_use
    unsure = Service.objects.exclude(key="emergency-112")
    assert all(s.verify_before_use and not s.phone for s in unsure)
    assert "emergency-112" not in names(services_to_verify())
    assert services_to_verify().count() == 14


@pytest.mark.parametrize(
    "typed", ["perheneuv", "PERHENEUVOLA", "familjeråd", "familjerad", "family couns"]
)
def test_search_finds_a_service_by_part_of_its_name_in_any_language(typed):
    assert names(service_search(ServiceFilters(query=typed)))[0] == "family-counselling-clinic"


def test_names_rank_before_descriptions():
    # "crisis" is in the crisis line's name and only in descriptions elsewhere.
    found = names(service_search(ServiceFilters(query="crisis")))
    assert found[0] in {"crisis-line", "social-crisis-emergency"}
    assert set(found[:2]) == {"crisis-line", "social-crisis-emergency"}


def test_filters_narrow_the_results():
    anonymous = service_search(ServiceFilters(anonymous=True, category="crisis_line"))
    assert names(anonymous) == ["crisis-line"]
    assert service_search(ServiceFilters(query="perheneuvola", municipality="Espoo")) == []
    assert service_search(ServiceFilters(query="perheneuvola", language="ar")) == []
    Service.objects.filter(key="family-counselling-clinic").update(public=False)
    assert service_search(ServiceFilters(query="perheneuvola"), public_only=True) == []


def test_an_added_service_is_found_and_kept_off_public_searches_until_it_is_public():
    ServiceFactory(
        key="youth-compass",
        name_fi="Nuorten Kompassi",
        name_en="Youth Compass",
        category=Service.Category.YOUTH_SERVICES,
        languages_served=["fi", "so"],
        public=False,
    )
    assert names(service_search(ServiceFilters(query="kompass"))) == ["youth-compass"]
    assert names(service_search(ServiceFilters(query="compass", language="so"))) == [
        "youth-compass"
    ]
    assert service_search(ServiceFilters(query="kompass"), public_only=True) == []


def test_fold_ignores_case_and_accents():
    assert fold("Ärrä Öljy Éte") == "arra oljy ete"


def test_the_card_speaks_the_visitors_language_with_english_as_the_fallback():
    service = Service.objects.get(key="emergency-112")
    assert service_card(service, "en").startswith("Emergency number 112\nWhen life")
    assert "Phone: 112" in service_card(service, "en")
    assert service_card(service, "sv").startswith("Nödnumret 112")
    assert "Telefon: 112" in service_card(service, "sv")
    arabic = service_card(service, "ar")
    assert arabic.startswith("Emergency number 112") and "Phone: 112" in arabic
    service.other_languages = {"ar": {"name": "رقم الطوارئ 112", "description": "عند الخطر"}}
    service.save()
    assert service_card(service, "ar").startswith("رقم الطوارئ 112\nعند الخطر")


def test_sharing_puts_the_card_into_the_conversation_and_a_referral_ticks_the_action():
    counsellor = StaffFactory(role=Role.COUNSELLOR)
    conversation = chat_taken(counsellor=counsellor, language="en").conversation
    clinic = Service.objects.get(key="family-counselling-clinic")
    message = service_share(
        service=clinic, conversation=conversation, by=counsellor, confirmed=True
    )
    assert message.sender == "counsellor" and message.body.startswith("Family counselling clinic")
    record = ContactRecord.objects.get(conversation=conversation)
    referral_record(record=record, service=clinic, outcome="made", by=counsellor)
    referral_record(record=record, service=clinic, outcome="declined", by=counsellor)
    referral = Referral.objects.get()
    assert (referral.outcome, referral.category) == ("declined", "family_counselling")
    assert {a.code for a in record.actions.all()} == {
        "return_code",  # the visitor of a chat got one (the record starts with it)
        "referral_made",
        "referral_declined",
    }


@translation.override("en")
def test_a_card_to_verify_or_without_phone_or_address_is_shared_only_once_confirmed():
    """Issue 21: "verify before use" and a card with no phone number or address warn first;
    the service itself refuses until the counsellor confirms."""
    counsellor = StaffFactory(role=Role.COUNSELLOR)
    conversation = chat_taken(counsellor=counsellor, language="en").conversation
    to_verify = ServiceFactory(verify_before_use=True, phone="09 123", street_address="Katu 1")
    no_contact = ServiceFactory(phone="", street_address="", web_address="https://example.org")
    certain = ServiceFactory(phone="09 123")
    assert to_verify.share_warnings == [
        "Contact details are not certain: check them before giving them out."
    ]
    assert no_contact.share_warnings == ["This card has no phone number or address."]
    assert certain.share_warnings == []
    for service, warning in ((to_verify, "not certain"), (no_contact, "no phone number")):
        with pytest.raises(ConversationError) as refused:
            service_share(service=service, conversation=conversation, by=counsellor)
        assert refused.value.code == "confirm_needed" and warning in str(refused.value)
    assert conversation.messages.count() == 0
    service_share(service=no_contact, conversation=conversation, by=counsellor, confirmed=True)
    service_share(service=certain, conversation=conversation, by=counsellor)
    assert conversation.messages.count() == 2


def test_the_services_shared_in_a_contact_are_offered_as_its_referrals():
    counsellor = StaffFactory(role=Role.COUNSELLOR)
    conversation = chat_taken(counsellor=counsellor, language="en").conversation
    clinic = Service.objects.get(key="family-counselling-clinic")
    emergency = Service.objects.get(key="emergency-112")
    for service in (emergency, clinic, emergency):
        service_share(service=service, conversation=conversation, by=counsellor, confirmed=True)
    record = ContactRecord.objects.get(conversation=conversation)
    assert services_shared_to_refer(record) == [emergency, clinic]
    referral_record(record=record, service=emergency, outcome="declined", by=counsellor)
    assert services_shared_to_refer(record) == [clinic]
    # The visitor's next contact (a message after the end) has a record of its own.
    conversation_end(conversation=conversation, ended_by="visitor")
    message_post(conversation=conversation, sender="visitor", client_id="back", body="Again")
    later = ContactRecord.objects.filter(conversation=conversation).order_by("started_at").last()
    assert later != record and services_shared_to_refer(later) == []
    assert services_shared_to_refer(ContactRecord(channel="phone")) == []


def test_csv_export_and_import_round_trip():
    Service.objects.filter(key="crisis-line").update(phone="+358 9 000 0000")
    clinic = Service.objects.get(key="family-counselling-clinic")
    clinic.other_languages = {"so": {"name": "Xarunta la-talinta qoyska", "description": ""}}
    clinic.last_verified = timezone.localdate()
    clinic.save()
    before = {s.key: s for s in Service.objects.all()}
    exported = services_export_csv()
    # A spreadsheet would otherwise run "+358…" as a formula.
    assert "'+358 9 000 0000" in exported
    Service.objects.update(name_en="changed", phone="", languages_served=[])
    report = services_import_csv(exported.encode("utf-8"))
    assert report.ok and (report.created, report.updated) == (0, 15)
    fields = [f for f in services_import_fields()]
    for service in Service.objects.all():
        for field in fields:
            assert getattr(service, field) == getattr(before[service.key], field), field
    assert services_export_csv() == exported


def services_import_fields():
    from huoli.directory.services import CSV_COLUMNS

    return CSV_COLUMNS


def test_a_file_with_bad_rows_is_reported_row_by_row_and_nothing_is_imported():
    rows = list(csv.DictReader(io.StringIO(services_export_csv())))
    rows[0]["category"] = "astrology"
    rows[2]["web_address"] = "not a web address at all"
    rows[3]["languages_served"] = "fi xx"
    rows[4]["name_fi"] = "Uusi nimi"  # a good change must not slip in either
    new = dict(rows[5], key="new-service", name_fi="Uusi palvelu")
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows([*rows, new])
    with translation.override("en"):
        report = services_import_csv(out.getvalue())
    assert not report.ok
    assert [(row, column) for row, column, _message in report.errors] == [
        (2, "category"),
        (4, "web_address"),
        (5, "languages_served"),
    ]
    assert "Unknown language code: xx." in report.errors[2][2]
    assert Service.objects.count() == 15
    assert not Service.objects.filter(name_fi="Uusi nimi").exists()


def test_a_file_without_the_columns_or_not_utf8_is_refused_clearly():
    with translation.override("en"):
        missing = services_import_csv("key,name_fi\nx,y\n")
        latin1 = services_import_csv("key,name_fi\nä,ö\n".encode("latin-1"))
    assert missing.errors[0][0] == 1 and "Columns missing" in missing.errors[0][2]
    assert "not UTF-8" in latin1.errors[0][2]


def test_the_public_page_lists_public_services_in_the_visitors_language(client):
    Service.objects.filter(key="anchor-team").update(public=False)
    page = client.get("/en/services/", {"q": "perhe"}, HTTP_ACCEPT_LANGUAGE="en")
    text = page.content.decode()
    assert page.status_code == 200 and "Family counselling clinic" in text
    assert not page.cookies
    everything = client.get("/sv/services/").content.decode()
    assert "Familjerådgivningen" in everything and "Ankarteamet" not in everything


LEADING = ["=", "+", "-", "@", "\t", "\r"]


@pytest.mark.parametrize("lead", LEADING, ids=["eq", "plus", "minus", "at", "tab", "cr"])
def test_csv_export_neutralises_every_formula_start_and_the_import_takes_it_off(lead):
    value = f'{lead}HYPERLINK("http://example.invalid","x")'
    Service.objects.filter(key="crisis-line").update(name_en=value, phone=f"{lead}1")
    exported = services_export_csv()
    row = next(r for r in csv.DictReader(io.StringIO(exported)) if r["key"] == "crisis-line")
    assert row["name_en"] == f"'{value}" and row["phone"] == f"'{lead}1"
    # Every cell of the file: none starts with a character a spreadsheet would run.
    for cells in csv.reader(io.StringIO(exported)):
        assert not any(cell.startswith(tuple(LEADING)) for cell in cells)
    Service.objects.filter(key="crisis-line").update(name_en="changed", phone="")
    assert services_import_csv(exported.encode("utf-8")).ok
    service = Service.objects.get(key="crisis-line")
    # The form strips surrounding white space, as it does for a typed value.
    assert (service.name_en, service.phone) == (value.strip(), f"{lead}1".strip())

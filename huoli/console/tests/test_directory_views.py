"""The directory in the console over HTTP: results, sharing, refusals, CSV pages."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from huoli.conversations.tests.factories import chat_taken
from huoli.core.models import AuditEntry
from huoli.core.roles import Role
from huoli.directory.models import Service
from huoli.directory.services import services_export_csv

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def test_results_follow_the_typing_and_offer_sharing_in_a_chat(client, logged_in):
    logged_in(Role.COUNSELLOR)
    page = client.get("/console/directory/results/", {"q": "nuoriso", "conversation": "7"}, **EN)
    text = page.content.decode()
    assert "Youth clinic" in text and "Youth services and youth work" in text
    assert "Share with visitor" in text and 'name="conversation" value="7"' in text
    nothing = client.get("/console/directory/results/", {"q": "zzzz"}, **EN).content.decode()
    assert "No service matches" in nothing


@pytest.fixture
def someone_elses_chat(enrolled):
    owner, _device = enrolled(Role.COUNSELLOR)
    return chat_taken(counsellor=owner, language="en")


def test_sharing_into_someone_elses_chat_is_refused(client, logged_in, someone_elses_chat):
    access = someone_elses_chat
    logged_in(Role.COUNSELLOR)
    clinic = Service.objects.get(key="family-counselling-clinic")
    response = client.post(
        f"/console/directory/{clinic.pk}/share/", {"conversation": access.conversation.pk}
    )
    assert response.status_code == 404
    assert access.conversation.messages.count() == 0


def test_a_supervisor_observing_cannot_share(client, logged_in, someone_elses_chat):
    access = someone_elses_chat
    logged_in(Role.SUPERVISOR)
    clinic = Service.objects.get(key="family-counselling-clinic")
    response = client.post(
        f"/console/directory/{clinic.pk}/share/",
        {"conversation": access.conversation.pk},
        HTTP_X_REQUESTED_WITH="fetch",
        **EN,
    )
    assert response.status_code == 400
    assert (
        response.json()["message"] == "Only the counsellor answering this conversation can write."
    )


def test_a_card_to_verify_or_without_phone_or_address_warns_and_is_shared_once_confirmed(
    client, logged_in
):
    """Issue 21: the results show the warnings in a confirmation step, and the server shares
    such a card only with the confirmation's own field (without JavaScript too)."""
    counsellor = logged_in(Role.COUNSELLOR)
    conversation = chat_taken(counsellor=counsellor, language="en").conversation
    clinic = Service.objects.get(key="family-counselling-clinic")  # to verify, no phone
    results = client.get(
        "/console/directory/results/", {"q": "perheneuv", "conversation": conversation.pk}, **EN
    ).content.decode()
    assert "Contact details are not certain: check them before giving them out." in results
    assert "This card has no phone number or address." in results
    assert 'name="confirmed" value="1"' in results and "Share anyway" in results
    url = f"/console/directory/{clinic.pk}/share/"
    refused = client.post(
        url, {"conversation": conversation.pk}, HTTP_X_REQUESTED_WITH="fetch", **EN
    )
    assert refused.status_code == 400
    assert "This card has no phone number or address." in refused.json()["message"]
    without_js = client.post(url, {"conversation": conversation.pk}, follow=True, **EN)
    assert "Confirm to share it anyway." in without_js.content.decode()
    assert conversation.messages.count() == 0
    shared = client.post(url, {"conversation": conversation.pk, "confirmed": "1"})
    assert shared.status_code == 302
    assert conversation.messages.get().body.startswith("Family counselling clinic")
    # A certain card with a phone number is shared at once.
    emergency = Service.objects.get(key="emergency-112")
    results = client.get(
        "/console/directory/results/", {"q": "112", "conversation": conversation.pk}, **EN
    ).content.decode()
    card = next(c for c in results.split('class="service-card"') if "Emergency number 112" in c)
    assert "Share anyway" not in card and "Share with visitor" in card
    client.post(f"/console/directory/{emergency.pk}/share/", {"conversation": conversation.pk})
    assert conversation.messages.count() == 2


def test_the_import_page_reports_bad_rows_and_imports_nothing(client, logged_in):
    logged_in(Role.ADMINISTRATOR)
    exported = client.get("/console/directory/export.csv")
    assert exported["Content-Type"] == "text/csv; charset=utf-8"
    assert exported.content.decode() == services_export_csv()
    broken = services_export_csv().replace(",family_counselling,", ",astrology,", 1)
    upload = SimpleUploadedFile("services.csv", broken.encode(), content_type="text/csv")
    page = client.post("/console/directory/import/", {"file": upload}, **EN)
    text = page.content.decode()
    assert "Nothing was imported" in text and "category" in text
    good = SimpleUploadedFile("services.csv", services_export_csv().encode())
    done = client.post("/console/directory/import/", {"file": good}, follow=True, **EN)
    assert "Imported: 0 new, 15 updated." in done.content.decode()
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"directory.exported", "directory.imported"} <= actions


def test_administrators_see_services_to_verify_on_their_home(client, logged_in):
    logged_in(Role.ADMINISTRATOR)
    text = client.get("/console/", **EN).content.decode()
    assert "14 services have not been verified for a year or ever." in text
    Service.objects.update(last_verified="2026-11-01")
    text = client.get("/console/", **EN).content.decode()
    assert "Every service has been verified within a year." in text


def test_administrators_search_the_directory_they_keep(client, logged_in):
    logged_in(Role.ADMINISTRATOR)
    page = client.get("/console/directory/", {"q": "perhe"}, **EN)
    text = page.content.decode()
    assert page.status_code == 200 and "Family counselling clinic" in text
    assert "Export as CSV" in text and "Share with visitor" not in text

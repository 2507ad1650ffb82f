"""Quality review pages over HTTP: who reaches the list and the form, choosing and drawing,
saving and sharing with clear errors, the counsellor's feedback in their profile and its
acknowledgement; another's review by id is a 404."""

from __future__ import annotations

import pytest
from django.test import Client

from huoli.accounts.tests.factories import StaffFactory, device_confirmed, log_in_with_device
from huoli.core.models import AuditEntry
from huoli.core.roles import Role
from huoli.supervision.models import Review, ReviewCriterion
from huoli.supervision.services.reviews import review_choose
from huoli.supervision.tests.factories import all_met, ended_conversation, review_shared

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def people(db, no_demo_mode):
    """Aino and Ben (counsellors), Sara (supervisor) and Ali (analyst), each with a client."""
    made = {}
    for name, role in [
        ("aino", Role.COUNSELLOR),
        ("ben", Role.COUNSELLOR),
        ("sara", Role.SUPERVISOR),
        ("ali", Role.ANALYST),
        ("adam", Role.ADMINISTRATOR),
    ]:
        user = StaffFactory(role=role, username=name, first_name=name.title())
        made[name] = user
        made[f"{name}_client"] = log_in_with_device(Client(), user, device_confirmed(user))
    return made


def form_post(review_action: str, ratings: dict[int, str], feedback: str) -> dict:
    return {
        "action": review_action,
        "feedback": feedback,
        **{f"rating-{pk}": value for pk, value in ratings.items()},
    }


def test_only_supervisors_see_the_menu_entry_and_the_list(people):
    page = people["sara_client"].get("/console/reviews/", **EN)
    assert page.status_code == 200
    assert b'href="/console/reviews/"' in page.content
    for name in ("aino", "ali", "adam"):
        client = people[f"{name}_client"]
        assert client.get("/console/reviews/").status_code == 403
        assert b'href="/console/reviews/"' not in client.get("/console/", **EN).content
        assert client.post("/console/reviews/draw/", {}).status_code == 403
        assert client.post("/console/reviews/choose/", {}).status_code == 403


def test_the_supervisor_finds_the_counsellors_conversations_and_chooses_one(people):
    aino, sara = people["aino"], people["sara"]
    conversation = ended_conversation(counsellor=aino)
    month = conversation.ended_at.astimezone().strftime("%Y-%m")
    client = people["sara_client"]
    page = client.get("/console/reviews/", {"counsellor": aino.pk, "month": month}, **EN)
    assert f'name="conversation" value="{conversation.pk}"'.encode() in page.content
    # Her own name is not among the counsellors to review.
    assert f'<option value="{sara.pk}"'.encode() not in page.content

    chosen = client.post("/console/reviews/choose/", {"conversation": conversation.pk})
    review = Review.objects.get()
    assert chosen["Location"] == f"/console/reviews/{review.pk}/"
    assert review.origin == "chosen" and review.counsellor_id == aino.pk
    again = client.post("/console/reviews/choose/", {"conversation": conversation.pk}, **EN)
    assert again.status_code == 302
    assert "already reviewed" in client.get(again["Location"], **EN).content.decode()
    for bad in ("", "abc", "999999"):
        assert client.post("/console/reviews/choose/", {"conversation": bad}).status_code == 302
    assert Review.objects.count() == 1


def test_bad_find_and_draw_input_gets_a_clear_answer(people):
    client = people["sara_client"]
    page = client.get("/console/reviews/", {"counsellor": "x", "month": "2026-13"}, **EN)
    assert page.status_code == 200
    assert "Give the month as year and month." in page.content.decode()
    # Months a database cannot hold once moved to UTC or a month on (a 500 before).
    for month in ("0001-01", "9999-12"):
        query = {"counsellor": people["aino"].pk, "month": month}
        page = client.get("/console/reviews/", query, **EN)
        assert page.status_code == 200
        assert "Give the month as year and month." in page.content.decode()
        drawn = client.post("/console/reviews/draw/", {**query, "count": "1"}, **EN)
        assert drawn.status_code == 302
    drawn = client.post(
        "/console/reviews/draw/",
        {"counsellor": people["aino"].pk, "month": "2026-12", "count": "99"},
        **EN,
    )
    assert drawn.status_code == 302
    assert "less than or equal to 20" in client.get(drawn["Location"], **EN).content.decode()
    assert not Review.objects.exists()


def test_the_supervisor_draws_rates_and_shares_then_it_is_locked(people):
    aino, client = people["aino"], people["sara_client"]
    conversation = ended_conversation(counsellor=aino)
    month = conversation.ended_at.astimezone().strftime("%Y-%m")
    drawn = client.post(
        "/console/reviews/draw/", {"counsellor": aino.pk, "month": month, "count": "3"}, **EN
    )
    assert "1 conversations drawn" in client.get(drawn["Location"], **EN).content.decode()
    review = Review.objects.get(origin="drawn")
    url = f"/console/reviews/{review.pk}/"
    form = client.get(url, **EN)
    assert f'href="/console/conversations/{conversation.pk}/"'.encode() in form.content
    assert form.content.count(b'type="radio"') == 4 * ReviewCriterion.objects.count()

    incomplete = client.post(url, form_post("share", {}, "Hyvä"), **EN)
    assert incomplete.status_code == 400
    assert "Rate every criterion" in incomplete.content.decode()
    assert b"Hyv\xc3\xa4" in incomplete.content  # what was written stays in the form
    shared = client.post(url, form_post("share", all_met(), "Hyvä kuuntelu"))
    assert shared.status_code == 302
    review.refresh_from_db()
    assert review.shared_at is not None and review.feedback == "Hyvä kuuntelu"
    assert AuditEntry.objects.filter(action="review.shared", object_id=str(review.pk)).exists()

    changed = client.post(url, form_post("save", all_met(), "Muutettu"))
    assert changed.status_code == 302
    review.refresh_from_db()
    assert review.feedback == "Hyvä kuuntelu"
    assert b'type="radio"' not in client.get(url).content


def test_a_counsellor_never_opens_the_form_nor_anothers_review(people):
    aino, sara = people["aino"], people["sara"]
    draft = review_choose(by=sara, conversation_id=ended_conversation(counsellor=aino).pk)
    shared = review_shared(supervisor=sara, conversation=ended_conversation(counsellor=aino))
    aino_client, ben_client = people["aino_client"], people["ben_client"]

    # Her own draft is not hers to see yet, nor to write.
    assert aino_client.get(f"/console/reviews/{draft.pk}/").status_code == 404
    posted = aino_client.post(f"/console/reviews/{draft.pk}/", form_post("share", all_met(), "x"))
    assert posted.status_code == 404
    # Her own shared review: read-only, no form.
    own = aino_client.get(f"/console/reviews/{shared.pk}/", **EN)
    assert own.status_code == 200 and b'type="radio"' not in own.content
    posted = aino_client.post(f"/console/reviews/{shared.pk}/", form_post("save", {}, "oma"))
    assert posted.status_code == 302
    shared.refresh_from_db()
    assert shared.feedback == "Hyvin kuunneltu."
    # Another counsellor: 404 for each, reading or acknowledging.
    for review in (draft, shared):
        assert ben_client.get(f"/console/reviews/{review.pk}/").status_code == 404
        assert ben_client.post(f"/console/reviews/{review.pk}/acknowledge/").status_code == 404
    assert people["ali_client"].get(f"/console/reviews/{shared.pk}/").status_code == 403
    shared.refresh_from_db()
    assert shared.acknowledged_at is None


def test_the_counsellor_sees_the_feedback_in_the_profile_and_acknowledges_it(people):
    aino, sara = people["aino"], people["sara"]
    review = review_shared(
        supervisor=sara, conversation=ended_conversation(counsellor=aino), feedback="Kuuntelit"
    )
    client = people["aino_client"]
    home = client.get("/console/", **EN).content.decode()
    assert "A supervisor shared feedback on 1 of your conversations." in home
    assert 'href="/console/profile/#feedback"' in home and "Kuuntelit" not in home
    assert "shared feedback on" not in people["ben_client"].get("/console/", **EN).content.decode()
    profile = client.get("/console/profile/", **EN).content.decode()
    assert "Kuuntelit" in profile and "Listened and reflected" in profile
    assert f"/console/reviews/{review.pk}/acknowledge/" in profile
    assert "Kuuntelit" not in people["ben_client"].get("/console/profile/").content.decode()

    done = client.post(f"/console/reviews/{review.pk}/acknowledge/")
    assert done["Location"] == "/console/profile/#feedback"
    review.refresh_from_db()
    assert review.acknowledged_at is not None
    assert "You acknowledged it" in client.get("/console/profile/", **EN).content.decode()
    assert "shared feedback on" not in client.get("/console/", **EN).content.decode()
    listing = people["sara_client"].get("/console/reviews/", **EN).content.decode()
    assert "Acknowledged" in listing and "Not yet acknowledged" not in listing


def test_a_supervisor_drops_a_draft_from_the_form(people):
    review = review_choose(
        by=people["sara"], conversation_id=ended_conversation(counsellor=people["aino"]).pk
    )
    url = f"/console/reviews/{review.pk}/discard/"
    assert people["aino_client"].post(url).status_code == 403
    assert (
        f'action="{url}"'.encode()
        in people["sara_client"].get(f"/console/reviews/{review.pk}/").content
    )
    dropped = people["sara_client"].post(url)
    assert dropped["Location"] == "/console/reviews/"
    assert not Review.objects.exists()
    assert people["sara_client"].post(url).status_code == 404

"""Kamailio's three questions through the real URL stack: only with the telephone on and
the shared secret; answers are one line Kamailio splits on spaces."""

from __future__ import annotations

import pytest
from django.test import override_settings

from huoli import keys
from huoli.calls.models import Call
from huoli.calls.selectors import sip_user
from huoli.calls.services import (
    desk_phone_ha1_of,
    desk_phone_password_make,
    registration_token_issue,
)
from huoli.calls.tests.factories import call_taker_on_duty
from huoli.contacts.models import ContactRecord
from huoli.conversations.services.queue import duty_set

pytestmark = pytest.mark.django_db


def ask(client, what: str, secret: str | None = None, **fields):
    headers = {"X-Huoli-Telephony": keys.read_telephony_secret() if secret is None else secret}
    return client.post(f"/telephony/{what}/", fields, headers=headers)


@override_settings(HUOLI_TELEPHONY=True)
def test_route_rings_then_the_events_end_the_call(client):
    aino = call_taker_on_duty()
    response = ask(client, "route", call="c1@x", line="fi", source="trunk", caller="+3584012")
    assert response.status_code == 200
    words = response.content.decode().split()
    conversation_id = Call.objects.get().conversation_id
    assert words == ["ring", str(conversation_id), sip_user(aino)]
    assert ask(client, "event", call="c1@x", event="cancelled").content.decode() == "ok\n"
    assert Call.objects.get().outcome == "abandoned"
    assert ask(client, "event", call="c1@x", event="bogus").status_code == 400


@override_settings(HUOLI_TELEPHONY=True)
def test_a_waiting_call_hears_the_queue_message_in_its_language(client):
    call_taker_on_duty()
    ask(client, "route", call="c2@x", line="fi", source="trunk")
    words = ask(client, "route", call="c2@x", line="fi", source="trunk").content.decode().split()
    assert words[0] == "queue" and words[3] == "2"
    assert words[2] == "-" or words[2].endswith("/fi/queue.wav")


@override_settings(HUOLI_TELEPHONY=True)
def test_closed_line_answer(client):
    response = ask(client, "route", call="c3@x", line="fi", source="trunk")
    words = response.content.decode().split()
    assert words[:2] == ["reject", "480"]


@override_settings(HUOLI_TELEPHONY=True)
def test_without_the_secret_nothing_is_answered(client):
    call_taker_on_duty()
    for secret in ("", "wrong"):
        response = ask(client, "route", secret=secret, call="c4@x", line="fi", source="trunk")
        assert response.status_code == 403
    assert not Call.objects.exists()
    assert client.get("/telephony/route/").status_code == 405


def test_with_the_telephone_off_the_questions_do_not_exist(client):
    call_taker_on_duty()
    assert ask(client, "route", call="c5@x", line="fi", source="trunk").status_code == 404
    assert not Call.objects.exists()


@override_settings(HUOLI_TELEPHONY=True)
def test_register(client):
    from huoli.calls.selectors import registered

    aino = call_taker_on_duty(registered=False)
    token = registration_token_issue(user=aino)
    ok = ask(client, "register", user=sip_user(aino), token=token)
    assert ok.status_code == 200 and ok.content.decode() == "ok\n"
    assert ask(client, "register", user="staff-999", token=token).status_code == 403
    # Allowed is not yet registered: Kamailio says when it saved the registration.
    assert not registered(aino.pk)
    assert ask(client, "register", user=sip_user(aino), saved="1", expires="600").status_code == 200
    assert registered(aino.pk)
    ask(client, "register", user=sip_user(aino), saved="1", expires="0")
    assert not registered(aino.pk)


@override_settings(HUOLI_TELEPHONY=True)
def test_a_desk_phone_gets_its_credential_only_while_its_counsellor_takes_calls(client):
    aino = call_taker_on_duty()
    name = sip_user(aino)

    def digest():
        return ask(client, "register", user=name, digest="1", expires="600")

    assert digest().status_code == 403  # no desk phone yet
    password = desk_phone_password_make(user=aino)
    response = digest()
    assert response.status_code == 200
    assert (
        response.content.decode() == f"ha1 {desk_phone_ha1_of(sip_name=name, password=password)}\n"
    )
    assert len(response.content.decode().split()[1]) == 32
    # A token from the console is no password, and a password no token.
    assert ask(client, "register", user=name, token=password).status_code == 403
    assert ask(client, "register", user="staff-999", digest="1").status_code == 403
    duty_set(user=aino, on_duty=False)
    assert digest().status_code == 403


@override_settings(HUOLI_TELEPHONY=True)
def test_a_desk_phones_answer_makes_the_call_its_counsellors(client):
    aino = call_taker_on_duty()
    ask(client, "route", call="c6@x", line="fi", source="trunk", caller="+3584012")
    response = ask(client, "event", call="c6@x", event="answered", user=sip_user(aino))
    assert response.content.decode() == "ok\n"
    call = Call.objects.select_related("conversation").get()
    assert call.outcome == "answered" and call.answered_at is not None
    assert call.conversation.counsellor == aino
    assert call.conversation.status == "active"
    record = ContactRecord.objects.get(conversation=call.conversation)
    assert record.channel == ContactRecord.Channel.PHONE
    # The same answer again (a retransmitted 200 OK), or a console's, changes nothing.
    assert (
        ask(client, "event", call="c6@x", event="answered", user=sip_user(aino)).status_code == 200
    )
    assert ContactRecord.objects.filter(conversation=call.conversation).count() == 1


@override_settings(HUOLI_TELEPHONY=True)
def test_an_answer_from_a_phone_the_call_never_rang_leaves_it_waiting(client):
    aino = call_taker_on_duty()
    other = call_taker_on_duty(username="other")
    ask(client, "route", call="c7@x", line="fi", source="trunk")
    call = Call.objects.get()
    Call.objects.filter(pk=call.pk).update(rang_users=[aino.pk])
    for user in (sip_user(other), "staff-999", "", "someone"):
        response = ask(client, "event", call="c7@x", event="answered", user=user)
        assert response.status_code == 200
    call = Call.objects.select_related("conversation").get()
    assert call.conversation.status == "queued" and call.answered_at is None


@override_settings(HUOLI_TELEPHONY=True)
def test_a_desk_phone_picked_up_after_its_counsellor_went_off_duty_is_still_their_call(client):
    """The phone rang, the counsellor pressed "Go off duty", then picked up anyway: the caller
    is talking to them, so the record must be theirs, not a queued call later counted as
    abandoned."""
    aino = call_taker_on_duty()
    ask(client, "route", call="c8@x", line="fi", source="trunk")
    assert aino.pk in Call.objects.get().rang_users
    duty_set(user=aino, on_duty=False)
    response = ask(client, "event", call="c8@x", event="answered", user=sip_user(aino))
    assert response.status_code == 200
    call = Call.objects.select_related("conversation").get()
    assert call.outcome == "answered" and call.answered_at is not None
    assert call.conversation.status == "active" and call.conversation.counsellor == aino
    assert ContactRecord.objects.filter(conversation=call.conversation).count() == 1


@override_settings(HUOLI_TELEPHONY=True)
def test_a_desk_phone_of_a_closed_account_does_not_pick_up_a_call(client):
    aino = call_taker_on_duty()
    ask(client, "route", call="c9@x", line="fi", source="trunk")
    assert aino.pk in Call.objects.get().rang_users
    aino.is_active = False
    aino.save(update_fields=["is_active"])
    ask(client, "event", call="c9@x", event="answered", user=sip_user(aino))
    call = Call.objects.select_related("conversation").get()
    assert call.conversation.status == "queued" and call.answered_at is None


@override_settings(HUOLI_TELEPHONY=True)
def test_the_call_page_gets_the_lines_recorded_messages_and_nothing_else(client):
    response = client.get("/sounds/sv/queue.wav")
    assert response.status_code == 200
    assert response["Content-Type"] == "audio/wav"
    body = b"".join(response.streaming_content)
    assert body[:4] == b"RIFF" and body[8:12] == b"WAVE"
    assert body != b"".join(client.get("/sounds/fi/queue.wav").streaming_content)
    assert client.get("/sounds/fi/later.wav").status_code == 200
    for path in (
        "/sounds/fi/closed.wav",  # Kamailio plays it; the page never needs it
        "/sounds/xx/queue.wav",
        "/sounds/fi/../en/queue.wav",
        "/sounds/fi/README.wav",
    ):
        assert client.get(path).status_code == 404, path
    assert client.post("/sounds/fi/queue.wav").status_code == 405
    assert client.head("/sounds/fi/queue.wav").status_code == 200


def test_with_the_telephone_off_there_are_no_recorded_messages(client):
    assert client.get("/sounds/fi/queue.wav").status_code == 404


@override_settings(HUOLI_TELEPHONY=True)
def test_asking_for_a_desk_phones_credential_does_not_make_it_reachable(client):
    """Anyone can make Kamailio ask for the credential (a REGISTER with any Authorization
    header): only Kamailio's report of a saved registration makes calls ring the phone."""
    from huoli.calls.selectors import registered

    aino = call_taker_on_duty(registered=False)
    desk_phone_password_make(user=aino)
    assert ask(client, "register", user=sip_user(aino), digest="1").status_code == 200
    assert not registered(aino.pk)

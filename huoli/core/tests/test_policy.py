from types import SimpleNamespace

import pytest
from django.http import Http404

from huoli.core import policy
from huoli.core.audit import audit_record
from huoli.core.policy import PERMISSIONS, user_has_permission
from huoli.core.roles import Role
from huoli.core.selectors import access_audit_entry, audit_entries_for

pytestmark = pytest.mark.django_db


def test_supervisor_has_every_counsellor_right(staff_factory):
    supervisor = staff_factory(role=Role.SUPERVISOR)
    counsellor = staff_factory(role=Role.COUNSELLOR)
    for permission in PERMISSIONS:
        if user_has_permission(counsellor, permission):
            assert user_has_permission(supervisor, permission), permission


def test_analyst_sees_only_statistics(staff_factory):
    analyst = staff_factory(role=Role.ANALYST)
    allowed = {p for p in PERMISSIONS if user_has_permission(analyst, p)}
    assert allowed == {"console.use", "reports.view"}


def test_inactive_user_has_no_permission(staff_factory):
    admin = staff_factory(role=Role.ADMINISTRATOR)
    admin.is_active = False
    assert not user_has_permission(admin, "audit.view")


def test_unknown_permission_is_a_programming_error(counsellor):
    with pytest.raises(KeyError):
        user_has_permission(counsellor, "cases.everything")


def test_access_helper_turns_not_allowed_into_404(staff_factory):
    admin = staff_factory(role=Role.ADMINISTRATOR)
    counsellor = staff_factory(role=Role.COUNSELLOR)
    entry = audit_record(actor=admin, action="test.action")
    assert access_audit_entry(admin, entry.seq) == entry
    with pytest.raises(Http404):
        access_audit_entry(counsellor, entry.seq)
    with pytest.raises(Http404):
        access_audit_entry(admin, entry.seq + 100)
    assert list(audit_entries_for(counsellor)) == []


# --- Per-object decisions: every person and every state of a conversation -------------------
#
# The people around one conversation. It is given to Aino (a counsellor) once taken; a
# supervisor has joined it; another supervisor only looks. Waiting conversations are given to
# nobody and joined by nobody.
PEOPLE = {
    "answering counsellor": (1, Role.COUNSELLOR),
    "other counsellor": (2, Role.COUNSELLOR),
    "joined supervisor": (3, Role.SUPERVISOR),
    "observing supervisor": (4, Role.SUPERVISOR),
    "analyst": (5, Role.ANALYST),
    "administrator": (6, Role.ADMINISTRATOR),
}
STATES = ("queued", "active", "ended")

# One row per person, one column per state (queued, active, ended): Y may, . may not.
EXPECTED = {
    "may_write": {
        "answering counsellor": ". Y .",
        "other counsellor": ". . .",
        "joined supervisor": ". Y .",
        "observing supervisor": ". . .",
        "analyst": ". . .",
        "administrator": ". . .",
    },
    "may_flag": {
        "answering counsellor": "Y Y .",
        "other counsellor": "Y . .",
        "joined supervisor": "Y Y Y",
        "observing supervisor": "Y Y Y",
        "analyst": ". . .",
        "administrator": ". . .",
    },
    "may_join": {
        "answering counsellor": ". . .",
        "other counsellor": ". . .",
        "joined supervisor": ". . .",
        "observing supervisor": ". Y .",
        "analyst": ". . .",
        "administrator": ". . .",
    },
    # With no escalation open on it (see the escalation table below).
    "may_escalate": {
        "answering counsellor": ". Y .",
        "other counsellor": ". . .",
        "joined supervisor": ". Y .",
        "observing supervisor": ". . .",
        "analyst": ". . .",
        "administrator": ". . .",
    },
    # What the service enforces; also after the end (the visitor may leave mid-alert).
    "may_open_escalation": {
        "answering counsellor": ". Y Y",
        "other counsellor": ". . .",
        "joined supervisor": "Y Y Y",
        "observing supervisor": "Y Y Y",
        "analyst": ". . .",
        "administrator": ". . .",
    },
    "may_observe": {
        "answering counsellor": ". . .",
        "other counsellor": ". . .",
        "joined supervisor": "Y . .",
        "observing supervisor": "Y Y .",
        "analyst": ". . .",
        "administrator": ". . .",
    },
    # A private note the visitor never sees: the two staff of a live conversation.
    "may_write_staff_note": {
        "answering counsellor": ". Y .",
        "other counsellor": ". . .",
        "joined supervisor": ". Y .",
        "observing supervisor": ". Y .",
        "analyst": ". . .",
        "administrator": ". . .",
    },
    "may_transfer": {
        "answering counsellor": ". Y .",
        "other counsellor": ". . .",
        "joined supervisor": ". . .",
        "observing supervisor": ". . .",
        "analyst": ". . .",
        "administrator": ". . .",
    },
    "may_end": {
        "answering counsellor": ". Y Y",
        "other counsellor": ". . .",
        "joined supervisor": "Y Y Y",
        "observing supervisor": "Y Y Y",
        "analyst": ". . .",
        "administrator": ". . .",
    },
}

CASES = [
    pytest.param(decision, person, state, row.split()[i] == "Y", id=f"{decision}-{person}-{state}")
    for decision, rows in EXPECTED.items()
    for person, row in rows.items()
    for i, state in enumerate(STATES)
]


def _person(name):
    """A user as the policy sees one (it imports no app)."""
    pk, role = PEOPLE[name]
    return SimpleNamespace(pk=pk, role=role, is_authenticated=True, is_active=True)


def _conversation(state, kind="chat"):
    given = state != "queued"
    return SimpleNamespace(
        kind=kind,
        status=state,
        counsellor_id=PEOPLE["answering counsellor"][0] if given else None,
        supervisor_id=PEOPLE["joined supervisor"][0] if given else None,
    )


@pytest.mark.parametrize(("decision", "person", "state", "expected"), CASES)
def test_who_may_do_what_with_a_conversation(decision, person, state, expected):
    decide = getattr(policy, decision)
    assert decide(_person(person), _conversation(state)) is expected


@pytest.mark.parametrize(
    ("escalation", "expected"),
    [(None, True), ("open", False), ("acknowledged", False), ("decided", True)],
)
def test_an_escalation_waiting_for_a_decision_is_not_opened_twice(escalation, expected):
    latest = None if escalation is None else SimpleNamespace(status=escalation)
    writer = _person("answering counsellor")
    assert policy.may_escalate(writer, _conversation("active"), latest) is expected


@pytest.mark.parametrize("decision", EXPECTED)
def test_nobody_signed_in_or_deactivated_may_do_anything(decision):
    """A deactivated account keeps the conversations it was given, but not the rights."""
    gone = SimpleNamespace(pk=1, role=Role.SUPERVISOR, is_authenticated=True, is_active=False)
    nobody = SimpleNamespace(pk=None, role="", is_authenticated=False, is_active=False)
    for state in STATES:
        assert not getattr(policy, decision)(gone, _conversation(state))
        assert not getattr(policy, decision)(nobody, _conversation(state))


# A call: its voice goes to the one softphone that answered it, so nobody transfers or joins
# it in the console; it is answered (not taken) while it waits, by a call taker on duty.
CALL_EXPECTED = {
    "may_join": {person: ". . ." for person in PEOPLE},
    "may_transfer": {person: ". . ." for person in PEOPLE},
    "may_end": EXPECTED["may_end"],
    "may_write": EXPECTED["may_write"],
}


@pytest.mark.parametrize(
    ("decision", "person", "state", "expected"),
    [
        pytest.param(
            decision, person, state, row.split()[i] == "Y", id=f"call-{decision}-{person}-{state}"
        )
        for decision, rows in CALL_EXPECTED.items()
        for person, row in rows.items()
        for i, state in enumerate(STATES)
    ],
)
def test_who_may_do_what_with_a_call(decision, person, state, expected):
    decide = getattr(policy, decision)
    assert decide(_person(person), _conversation(state, kind="call")) is expected


def test_no_private_note_on_a_call_back_request_nobody_is_talking_in():
    for person in PEOPLE:
        assert not policy.may_write_staff_note(
            _person(person), _conversation("active", kind="callback")
        )


def _profile(person, *, on_duty=True, takes_calls=True):
    return SimpleNamespace(user_id=PEOPLE[person][0], on_duty=on_duty, takes_calls=takes_calls)


@pytest.mark.parametrize(
    ("person", "state", "profile", "expected"),
    [
        ("other counsellor", "queued", {}, True),
        ("observing supervisor", "queued", {}, True),
        ("other counsellor", "active", {}, False),
        ("other counsellor", "ended", {}, False),
        ("other counsellor", "queued", {"on_duty": False}, False),
        ("other counsellor", "queued", {"takes_calls": False}, False),
        ("analyst", "queued", {}, False),
        ("administrator", "queued", {}, False),
    ],
)
def test_who_may_answer_a_call(person, state, profile, expected):
    call = _conversation(state, kind="call")
    assert policy.may_answer_call(_person(person), call, _profile(person, **profile)) is expected


def test_a_chat_is_not_answered_as_a_call_nor_with_someone_elses_profile():
    counsellor = _person("other counsellor")
    assert not policy.may_answer_call(
        counsellor, _conversation("queued"), _profile("other counsellor")
    )
    other = _profile("answering counsellor")
    assert not policy.may_answer_call(counsellor, _conversation("queued", kind="call"), other)
    assert not policy.may_answer_call(counsellor, _conversation("queued", kind="call"), None)


@pytest.mark.parametrize(
    ("person", "state", "kind", "active", "expected"),
    [
        ("other counsellor", "queued", "call", True, True),
        ("observing supervisor", "queued", "call", True, True),
        ("other counsellor", "queued", "call", False, False),  # the account was closed
        ("other counsellor", "active", "call", True, False),
        ("other counsellor", "ended", "call", True, False),
        ("other counsellor", "queued", "chat", True, False),
        ("analyst", "queued", "call", True, False),
        ("administrator", "queued", "call", True, False),
    ],
)
def test_who_may_pick_up_a_call_their_desk_phone_answered(person, state, kind, active, expected):
    user = _person(person)
    user.is_active = active
    assert policy.may_pick_up_call(user, _conversation(state, kind=kind)) is expected


# Quality reviews (issue 18): the counsellor reviewed is the "answering counsellor"; the
# "joined supervisor" reviews; a review is a draft or shared.
def _review(shared: bool, *, counsellor: str = "answering counsellor"):
    return SimpleNamespace(counsellor_id=PEOPLE[counsellor][0], shared_at=1 if shared else None)


REVIEW_EXPECTED = {
    # person: (may_review a draft, may_review a shared one, may_acknowledge a draft, a shared)
    "answering counsellor": ". . . Y",
    "other counsellor": ". . . .",
    "joined supervisor": "Y . . .",
    "observing supervisor": "Y . . .",
    "analyst": ". . . .",
    "administrator": ". . . .",
}


@pytest.mark.parametrize("person", REVIEW_EXPECTED)
def test_who_may_review_and_acknowledge(person):
    user = _person(person)
    got = [
        policy.may_review(user, _review(False)),
        policy.may_review(user, _review(True)),
        policy.may_acknowledge(user, _review(False)),
        policy.may_acknowledge(user, _review(True)),
    ]
    assert got == [flag == "Y" for flag in REVIEW_EXPECTED[person].split()]


def test_a_supervisor_never_reviews_their_own_work():
    supervisor = _person("joined supervisor")
    own = _review(False, counsellor="joined supervisor")
    assert not policy.may_review(supervisor, own)
    conversation = SimpleNamespace(
        kind="chat", status="ended", counsellor_id=supervisor.pk, supervisor_id=None
    )
    assert not policy.may_review_conversation(supervisor, conversation)
    conversation.counsellor_id = PEOPLE["answering counsellor"][0]
    assert policy.may_review_conversation(supervisor, conversation)
    for status in ("queued", "active"):
        conversation.status = status
        assert not policy.may_review_conversation(supervisor, conversation)
    conversation.status, conversation.kind = "ended", "callback"
    assert not policy.may_review_conversation(supervisor, conversation)

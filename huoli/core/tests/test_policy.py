import pytest
from django.http import Http404

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
    "may_observe": {
        "answering counsellor": ". . .",
        "other counsellor": ". . .",
        "joined supervisor": "Y . .",
        "observing supervisor": "Y Y .",
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
    from huoli.accounts.models import User

    pk, role = PEOPLE[name]
    return User(pk=pk, role=role, is_active=True)


def _conversation(state):
    from huoli.conversations.models import Conversation

    given = state != "queued"
    return Conversation(
        status=state,
        counsellor_id=PEOPLE["answering counsellor"][0] if given else None,
        supervisor_id=PEOPLE["joined supervisor"][0] if given else None,
    )


def _old_decisions():
    """The rules as the code held them before they moved into the policy: the helper or the
    inline expression, behind the gate in front of it (``staff_required`` and the scope of
    conversations a user may open)."""
    from huoli.console.chat_views import _may_flag

    def works(user):
        return user_has_permission(user, "counselling.work")

    def supervises(user):
        return user_has_permission(user, "counselling.supervise")

    def opens(user, c):  # conversations_scope for one conversation
        return supervises(user) or (works(user) and c.counsellor_id == user.pk)

    def escalate(user, c, latest_escalation=None):
        return c.may_write(user) and (
            latest_escalation is None or latest_escalation.status == "decided"
        )

    return {
        "may_write": lambda user, c: c.may_write(user),
        "may_flag": lambda user, c: works(user) and _may_flag(user, c),
        "may_join": lambda user, c: (
            not c.may_write(user) and c.status == "active" and supervises(user)
        ),
        "may_escalate": escalate,
        "may_observe": lambda user, c: (
            opens(user, c)
            and not c.may_write(user)
            and c.status != "ended"
            and c.counsellor_id != user.pk
        ),
        "may_transfer": lambda user, c: (
            works(user) and c.counsellor_id == user.pk and c.status == "active"
        ),
        "may_end": lambda user, c: works(user) and (c.counsellor_id == user.pk or supervises(user)),
    }


@pytest.mark.parametrize(("decision", "person", "state", "expected"), CASES)
def test_who_may_do_what_with_a_conversation(decision, person, state, expected):
    decide = _old_decisions()[decision]
    assert decide(_person(person), _conversation(state)) is expected


@pytest.mark.parametrize(
    ("escalation", "expected"),
    [(None, True), ("open", False), ("acknowledged", False), ("decided", True)],
)
def test_an_escalation_waiting_for_a_decision_is_not_opened_twice(escalation, expected):
    from huoli.cases.models import Escalation

    decide = _old_decisions()["may_escalate"]
    latest = None if escalation is None else Escalation(status=escalation)
    assert decide(_person("answering counsellor"), _conversation("active"), latest) is expected

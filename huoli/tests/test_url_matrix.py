"""Who may open which URL: every named URL pattern of the project, for anonymous and each role.

A URL added without an entry in MATRIX fails ``test_every_url_has_a_matrix_entry``.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.resolvers import RoutePattern

from huoli.accounts.tests.factories import StaffFactory, device_confirmed, log_in_with_device
from huoli.cases.services import follow_up_create
from huoli.contacts.models import ContactRecord
from huoli.contacts.services import case_create_for_record
from huoli.conversations.tests.factories import chat_taken
from huoli.core.audit import audit_record
from huoli.core.roles import Role
from huoli.directory.models import Service
from huoli.escalations.services import escalation_open
from huoli.reports.models import PublishedQuarter
from huoli.supervision.services.debriefs import debrief_request
from huoli.supervision.services.handover import handover_note_write
from huoli.supervision.tests.factories import ended_conversation, review_shared

ANONYMOUS = "anonymous"
ADMIN = Role.ADMINISTRATOR.value
STAFF = frozenset(Role.values)
EVERYONE = STAFF | {ANONYMOUS}
NOBODY = frozenset()
COUNSELLING = frozenset({Role.COUNSELLOR.value, Role.SUPERVISOR.value})
REPORTS = frozenset({Role.ANALYST.value, Role.SUPERVISOR.value, ADMIN})
PUBLISHED = (2025, 1)  # the quarter on the public statistics page

MATRIX: dict[str, frozenset[str]] = {
    # Monitoring: reads only and names nobody (huoli/core/health.py).
    "health": EVERYONE,
    # For search engines (huoli/public/seo.py).
    "robots_txt": EVERYONE,
    "sitemap": EVERYONE,
    "public:home": EVERYONE,
    "public:message_new": EVERYONE,
    "public:return": EVERYONE,
    "public:exit": EVERYONE,
    # POST only: every GET gets 405, for everyone.
    "public:chat_start": EVERYONE,
    "public:conversation_send": EVERYONE,
    "public:conversation_end": EVERYONE,
    "public:feedback": EVERYONE,
    "public:conversation_to_message": EVERYONE,
    "public:conversation_keep_waiting": EVERYONE,
    # Only with the visitor's own conversation cookie; staff accounts do not open it.
    "public:conversation": NOBODY,
    "console:login": EVERYONE,
    # Only reachable right after a correct password; otherwise it sends you to the login.
    "console:login_verify": NOBODY,
    # POST only: every GET gets 405, for everyone.
    "console:logout": EVERYONE,
    "console:set_language": EVERYONE,
    "console:two_factor_setup": STAFF,
    "console:home": STAFF,
    "console:profile": STAFF,
    "console:duty": COUNSELLING,
    "console:work_panel": COUNSELLING,
    # A chat taken by the counsellor: they and supervisors may open it, nobody else.
    "console:conversation": COUNSELLING,
    # The list of conversations: those who may open some (core.policy.conversations_scope).
    "console:conversation_list": COUNSELLING,
    "console:take": COUNSELLING,
    "console:reply": COUNSELLING,
    "console:staff_note": COUNSELLING,
    "console:end": COUNSELLING,
    "console:transfer": COUNSELLING,
    "console:join": frozenset({Role.SUPERVISOR.value}),
    "console:flag": COUNSELLING,
    # POST only: supervisors and administrators get 405, everyone else is refused first.
    "console:flood": frozenset({Role.SUPERVISOR.value, ADMIN}),
    # Records, cases and escalations: the counsellor working on them and supervisors;
    # POST-only ones answer 405 to them and refuse everyone else first.
    "console:call_new": COUNSELLING,
    "console:record": COUNSELLING,
    "console:record_case": COUNSELLING,
    "console:record_escalate": COUNSELLING,
    "console:conversation_escalate": COUNSELLING,
    "console:case_list": COUNSELLING,
    "console:case": COUNSELLING,
    "console:case_messages": COUNSELLING,
    "console:case_update": COUNSELLING,
    "console:follow_up_done": COUNSELLING,
    "console:escalation": COUNSELLING,
    # The directory beside chats and records; its CSV files are for administrators.
    "console:directory": COUNSELLING | {ADMIN},
    "console:directory_results": COUNSELLING | {ADMIN},
    "console:service_share": COUNSELLING,
    "console:service_refer": COUNSELLING,
    "console:directory_export": frozenset({ADMIN}),
    "console:directory_import": frozenset({ADMIN}),
    "public:services": EVERYONE,
    "public:info_list": EVERYONE,
    "public:info": EVERYONE,
    # Open statistics: the page, and a published quarter's page and CSV (one is published
    # in ``clients``; an unpublished one is 404 for everyone: public/tests/test_statistics.py).
    "public:statistics": EVERYONE,
    "public:statistics_quarter": EVERYONE,
    "public:statistics_csv": EVERYONE,
    # Quality reviews: supervisors review (drawing and choosing are POST only); a shared review
    # is read by supervisors and the counsellor reviewed, who acknowledges it (POST only).
    "console:review_list": frozenset({Role.SUPERVISOR.value}),
    "console:review_draw": frozenset({Role.SUPERVISOR.value}),
    "console:review_choose": frozenset({Role.SUPERVISOR.value}),
    "console:review_discard": frozenset({Role.SUPERVISOR.value}),
    "console:review": COUNSELLING,
    "console:review_acknowledge": COUNSELLING,
    # Aggregated statistics only: analysts, supervisors, administrators.
    "console:reports": REPORTS,
    "console:reports_csv": REPORTS,
    "console:reports_xlsx": REPORTS,
    "console:reports_pdf": REPORTS,
    # The telephone. With it off (the default, as here) the web call page is not there;
    # its start, Kamailio's questions and the softphone's Answer and Hang up are POST only
    # (Kamailio's need its secret: huoli/phone/tests/test_views.py).
    "public:call": NOBODY,
    "public:call_start": EVERYONE,
    "phone:route": EVERYONE,
    "phone:event": EVERYONE,
    "phone:register": EVERYONE,
    # The call page's recorded messages: public, but only while the telephone is on.
    "sounds:sound": NOBODY,
    "console:phone": COUNSELLING,
    "console:call_answer": COUNSELLING,
    "console:call_decline": COUNSELLING,
    # POST only: makes a new desk phone password for the counsellor's own profile.
    "console:desk_phone": COUNSELLING,
    "console:call_hang_up": COUNSELLING,
    # Call-backs: the public form and its cancel (POST only); Kamailio's question for a
    # call out (POST only, its secret); a counsellor's Call and outcome (POST only) and the
    # form asking for one on a family's behalf, which only the counsellor answering the
    # conversation opens (supervisors are refused).
    "public:callback_new": EVERYONE,
    "public:callback_cancel": EVERYONE,
    "phone:dial": EVERYONE,
    "console:callback_call": COUNSELLING,
    "console:callback_outcome": COUNSELLING,
    "console:callback_new": frozenset({Role.COUNSELLOR.value}),
    "admin:calls_callline_add": NOBODY,
    "admin:calls_callline_delete": NOBODY,
    # Handover notes between shifts: those who answer; marking one read is POST only.
    "console:handover": COUNSELLING,
    "console:handover_read": COUNSELLING,
    # A debrief asked from a record (POST only); the requests and high-risk contacts per
    # counsellor and shift are for supervisors only (marking done is POST only).
    "console:record_debrief": COUNSELLING,
    "console:debriefs": frozenset({Role.SUPERVISOR.value}),
    "console:debrief_done": frozenset({Role.SUPERVISOR.value}),
    "console:team": frozenset({Role.SUPERVISOR.value}),
    # Partner materials: administrators download them; the badge's image is for everyone.
    "console:materials": frozenset({ADMIN}),
    "console:material_pdf": frozenset({ADMIN}),
    "badge": EVERYONE,
    "console:audit_list": frozenset({ADMIN}),
    "console:audit_detail": frozenset({ADMIN}),
    # The admin's own login only forwards to the console login.
    "admin:login": NOBODY,
    # Our models have no public page, so "view on site" is a 404 even for administrators.
    "admin:view_on_site": NOBODY,
    # No admin field uses autocomplete yet, so every request to it is refused.
    "admin:autocomplete": NOBODY,
    # POST only, like the console's logout.
    "admin:logout": EVERYONE,
    # Would show a colleague's two-factor secret: refused (OTP_ADMIN_HIDE_SENSITIVE_DATA).
    "admin:otp_totp_totpdevice_config": NOBODY,
    "admin:otp_totp_totpdevice_qrcode": NOBODY,
    # List entries are retired, never deleted: old records and statistics point at them.
    "admin:contacts_listentry_delete": NOBODY,
    "admin:directory_service_delete": NOBODY,
    "admin:supervision_reviewcriterion_delete": NOBODY,
    # One row of retention periods: made on first use, edited, never added or deleted.
    "admin:retention_retentionpolicy_add": NOBODY,
    "admin:retention_retentionpolicy_delete": NOBODY,
    "admin:helpline_floodswitch_add": NOBODY,
    "admin:helpline_floodswitch_delete": NOBODY,
    "admin:helpline_quickexit_add": NOBODY,
    "admin:helpline_quickexit_delete": NOBODY,
    "admin:helpline_waitinglimit_add": NOBODY,
    "admin:helpline_waitinglimit_delete": NOBODY,
    "admin:reports_openstatistics_add": NOBODY,
    "admin:reports_openstatistics_delete": NOBODY,
    # Information pages are edited, never deleted (a missing language falls back to English).
    "admin:helpline_infopage_delete": NOBODY,
    # Campaign codes are printed on partners' materials and listed in every report: never
    # deleted (stop counting one instead).
    "admin:outreach_campaign_delete": NOBODY,
    # Every other admin page: one gate, administrators with two-factor.
    "admin:*": frozenset({ADMIN}),
}

# Unnamed patterns that are known: the admin's catch-all and its old-style
# "<object id>/" links, which only redirect to named admin pages checked below.
UNNAMED_ALLOWED = {"admin:(?P<url>.*)$", "admin:<path:object_id>/"}


def walk(patterns=None, namespace: str = ""):
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from walk(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern):
            yield namespace, pattern


def pattern_params(pattern: URLPattern) -> list[str]:
    route = pattern.pattern
    if isinstance(route, RoutePattern):
        return list(route.converters)
    return list(route.regex.groupindex)


def named_patterns():
    for namespace, pattern in walk():
        if pattern.name:
            yield f"{namespace}{pattern.name}", pattern


def expectation(name: str) -> frozenset[str] | None:
    if name in MATRIX:
        return MATRIX[name]
    namespace = name.split(":", 1)[0]
    return MATRIX.get(f"{namespace}:*")


def test_every_url_has_a_matrix_entry():
    missing = [name for name, _p in named_patterns() if expectation(name) is None]
    assert missing == [], f"add these URL names to MATRIX: {missing}"
    unnamed = [
        f"{ns}{p.pattern}"
        for ns, p in walk()
        if not p.name and f"{ns}{p.pattern}" not in UNNAMED_ALLOWED
    ]
    assert unnamed == [], f"give these URL patterns a name: {unnamed}"


@pytest.fixture
def clients(db, no_demo_mode):
    """One client per role, each logged in with a verified two-factor device."""
    result = {ANONYMOUS: Client()}
    users = {}
    for role in Role.values:
        user = StaffFactory(role=role)
        result[role] = log_in_with_device(Client(), user, device_confirmed(user))
        users[role] = user
    users["chat_id"] = taken_chat(users[Role.COUNSELLOR])
    users.update(case_samples(users[Role.COUNSELLOR], users["chat_id"]))
    users["review_id"] = review_sample(users[Role.COUNSELLOR], users[Role.SUPERVISOR])
    PublishedQuarter.objects.create(year=PUBLISHED[0], quarter=PUBLISHED[1])
    return result, users


def case_samples(counsellor, conversation_id: int) -> dict:
    """A record (of the taken chat), a case with a follow-up, and an escalation, all the
    counsellor's own."""
    record = ContactRecord.objects.get(conversation_id=conversation_id)
    case = case_create_for_record(record=record, by=counsellor)
    follow_up = follow_up_create(case=case, by=counsellor, due_on=date.today(), what="soita")
    escalation = escalation_open(by=counsellor, record=record)
    note = handover_note_write(by=counsellor, body="Perhe K odottaa soittoa")
    debrief = debrief_request(record=record, by=counsellor)
    return {
        "note_id": note.pk,
        "debrief_id": debrief.pk,
        "record_id": record.pk,
        "number": case.number,
        "follow_up_id": follow_up.pk,
        "escalation_id": escalation.pk,
    }


def review_sample(counsellor, supervisor) -> int:
    """A review of an ended conversation of the counsellor, shared with them."""
    conversation = ended_conversation(counsellor=counsellor)
    return review_shared(supervisor=supervisor, conversation=conversation).pk


def taken_chat(counsellor) -> int:
    return chat_taken(counsellor=counsellor).conversation.pk


def sample_url(name: str, pattern: URLPattern, users) -> str:
    admin_user = users[ADMIN]
    params = pattern_params(pattern)
    if "conversation_id" in params:
        return reverse(name, kwargs={"conversation_id": users["chat_id"]})
    samples = {
        "seq": audit_record(actor=admin_user, action="test.sample").seq,
        **{
            key: users[key]
            for key in (
                "record_id",
                "number",
                "follow_up_id",
                "escalation_id",
                "note_id",
                "debrief_id",
                "review_id",
            )
        },
        "service_id": Service.objects.first().pk,
        "object_id": str(admin_user.pk),
        "id": admin_user.pk,
        "pk": admin_user.pk,
        "app_label": "accounts",
        "slug": "signs",
        "year": PUBLISHED[0],
        "quarter": PUBLISHED[1],
        "line": "fi",
        "language": "so",
        "kind": "poster-a4",
        "name": "queue",
        "content_type_id": ContentType.objects.get_for_model(admin_user).pk,
    }
    return reverse(name, kwargs={param: samples[param] for param in params})


def is_denied(response) -> bool:
    if response.status_code in (403, 404):
        return True
    if response.status_code == 302:
        location = response["Location"].split("?")[0]
        return location in {"/console/login/", "/console/admin/login/", "/console/two-factor/"}
    return False


def test_url_matrix(clients):
    client_by_role, users = clients
    failures = []
    for name, pattern in named_patterns():
        allowed = expectation(name)
        url = sample_url(name, pattern, users)
        for role, client in client_by_role.items():
            response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
            assert response.status_code < 500, f"{url} as {role}: {response.status_code}"
            denied = is_denied(response)
            if (role in allowed) == denied:
                got = "denied" if denied else "allowed"
                wanted = "allowed" if role in allowed else "denied"
                failures.append(
                    f"{name} {url} as {role}: {got} ({response.status_code}), expected {wanted}"
                )
    assert failures == [], "\n".join(failures)


def test_a_role_that_may_not_see_a_page_gets_403_and_a_missing_object_404(clients):
    client_by_role, _users = clients
    assert client_by_role[Role.COUNSELLOR].get("/console/audit/").status_code == 403
    assert client_by_role[ADMIN].get("/console/audit/999999/").status_code == 404

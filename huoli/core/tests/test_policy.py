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

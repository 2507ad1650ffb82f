"""An escalation in real browsers: the counsellor escalates from a live chat, the supervisor's
console shows the alert without reloading, the counsellor sees who acknowledged, the
supervisor records the decision; every step is in the audit log and the chain verifies."""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from huoli.core.models import AuditEntry
from huoli.escalations.models import Escalation
from huoli.tests.browser.test_records import chat_taken, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_escalation_reaches_the_supervisor_and_is_decided(demo_staff, asgi_server, browser):
    url = asgi_server.url
    supervisor = browser.new_context(locale="en-GB").new_page()
    log_in(supervisor, url, "supervisor")
    supervisor.get_by_role("button", name="Go on duty").click()
    expect(supervisor.get_by_text("Live updates are on.")).to_be_visible()

    staff, visitor = chat_taken(browser, url)
    visitor.get_by_label("Message").fill("He says he will hurt people at school tomorrow.")
    visitor.get_by_label("Message").press("Enter")
    expect(staff.get_by_text("He says he will hurt people at school tomorrow.")).to_be_visible()

    staff.get_by_text("Escalate", exact=True).click()
    staff.get_by_label("What is the danger? (optional)").fill("Threat against a school, tomorrow.")
    staff.get_by_role("button", name="Alert the supervisors").click()
    status = staff.locator("[data-escalation-status]")
    expect(status).to_contain_text("Waiting for a supervisor")

    # The supervisor's console home shows the alert without a reload.
    alert = supervisor.get_by_role("alert").filter(has_text="needs a supervisor")
    expect(alert).to_contain_text("Escalation: Aino needs a supervisor.")
    alert.get_by_role("link", name="Open the escalation").click()
    expect(supervisor.get_by_role("definition").first).to_be_visible()
    expect(supervisor.get_by_label("What was assessed")).to_have_value(
        "Threat against a school, tomorrow."
    )
    supervisor.get_by_role("button", name="Acknowledge").click()

    # The counsellor, still in the chat, sees who acknowledged without a reload.
    expect(status).to_contain_text("Supervisor consulted")
    expect(status).to_contain_text("Acknowledged by Mikko")

    supervisor.get_by_label("Child-welfare notification").check()
    supervisor.get_by_label("Reason for the decision").fill(
        "A minor at risk; the school and child welfare must act today."
    )
    supervisor.get_by_role("button", name="Record decision").click()
    expect(supervisor.get_by_text("The decision was recorded.")).to_be_visible()
    expect(status).to_contain_text("Decided")

    # The visitor was shown nothing about it.
    expect(visitor.get_by_text(re.compile("escalat|supervisor", re.I))).to_have_count(0)

    escalation = Escalation.objects.get()
    assert escalation.decision == "child_welfare" and escalation.supervisor.username == "supervisor"
    steps = AuditEntry.objects.filter(object_type="escalation", object_id=str(escalation.pk))
    actions = list(steps.order_by("seq").values_list("action", flat=True))
    for step in ("escalation.opened", "escalation.acknowledged", "escalation.decided"):
        assert step in actions
    assert actions.index("escalation.opened") < actions.index("escalation.acknowledged")
    assert actions.index("escalation.acknowledged") < actions.index("escalation.decided")
    call_command("verify_audit", verbosity=0)

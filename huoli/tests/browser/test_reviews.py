"""A quality review in a real browser: the supervisor draws a counsellor's ended
conversation, reads it, rates it and shares the feedback; the counsellor reads it in their
profile and acknowledges it; the supervisor sees it acknowledged."""

import re

import pytest
from playwright.sync_api import expect

from huoli.accounts.models import User
from huoli.core.models import AuditEntry
from huoli.supervision.models import Review, ReviewCriterion
from huoli.supervision.tests.factories import ended_conversation
from huoli.tests.browser.test_chat import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_review_is_drawn_rated_shared_and_acknowledged(
    demo_staff, asgi_server, browser, csp_violations
):
    url = asgi_server.url
    aino = User.objects.get(username="counsellor")
    conversation = ended_conversation(counsellor=aino)
    criteria = list(ReviewCriterion.objects.filter(active=True).values_list("name_en", flat=True))
    assert len(criteria) == 5

    supervisor = csp_violations(browser.new_page(locale="en-GB"))
    log_in(supervisor, url, "supervisor")
    supervisor.get_by_role("link", name="Reviews").click()
    expect(supervisor.get_by_text("Nothing to review.")).to_be_visible()
    draw = supervisor.locator("form[action='/console/reviews/draw/']")
    draw.get_by_label("Counsellor").select_option(label=aino.display_name)
    draw.get_by_label("How many").fill("3")
    draw.get_by_role("button", name="Draw").click()
    expect(supervisor.get_by_text("1 conversations drawn for review.")).to_be_visible()
    supervisor.get_by_role("link", name=f"Review the conversation of {aino.display_name}").click()

    # The conversation is read through its own audited page.
    supervisor.get_by_role("link", name="Read the conversation").click()
    expect(supervisor).to_have_url(re.compile(rf"/console/conversations/{conversation.pk}/$"))
    supervisor.go_back()
    assert AuditEntry.objects.filter(
        action="conversation.read", object_id=str(conversation.pk), actor_username="supervisor"
    ).exists()

    supervisor.get_by_label("Feedback to the counsellor").fill("Kuuntelit hyvin ja rauhallisesti.")
    supervisor.get_by_role("button", name="Share with the counsellor").click()
    # Console pages also hold the (empty) alerts region of their notices: the one saying so.
    expect(supervisor.get_by_role("alert").filter(has_text="Rate every criterion")).to_be_visible()
    for name in criteria:
        group = supervisor.get_by_role("group", name=name)
        rating = "Partly met" if name == "Record complete" else "Met"
        group.get_by_label(rating, exact=True).check()
    expect(supervisor.get_by_label("Feedback to the counsellor")).to_have_value(
        "Kuuntelit hyvin ja rauhallisesti."
    )
    supervisor.get_by_role("button", name="Share with the counsellor").click()
    expect(supervisor.get_by_text("The review is shared with the counsellor.")).to_be_visible()
    review = Review.objects.get()
    shared_row = supervisor.locator(f"[data-acknowledged='{review.pk}']")
    expect(shared_row).to_have_text("Not yet acknowledged")

    counsellor = csp_violations(browser.new_context(locale="en-GB").new_page())
    log_in(counsellor, url, "counsellor")
    counsellor.get_by_role("link", name="My profile").click()
    feedback = counsellor.locator(f"[data-review='{review.pk}']")
    expect(feedback).to_contain_text("Kuuntelit hyvin ja rauhallisesti.")
    expect(feedback).to_contain_text("Partly met")
    feedback.get_by_role("button", name="I have read the feedback").click()
    expect(counsellor.get_by_text("the reviewer sees that you have read it")).to_be_visible()
    expect(feedback).to_contain_text("You acknowledged it on")

    supervisor.reload()
    expect(shared_row).to_contain_text("Acknowledged")
    review.refresh_from_db()
    assert review.acknowledged_at is not None
    assert csp_violations.found == []

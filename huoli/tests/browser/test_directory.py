"""The service directory in a live chat: found by part of its Finnish name, shared with an
English-speaking visitor in English, recorded as a referral on the contact record."""

import pytest
from playwright.sync_api import expect

from huoli.directory.models import Referral
from huoli.tests.browser.test_records import chat_taken

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_service_is_found_shared_and_referred_during_a_chat(
    demo_staff, asgi_server, browser, csp_violations
):
    staff, visitor = chat_taken(browser, asgi_server.url)
    csp_violations(staff)
    csp_violations(visitor)

    staff.get_by_label("Search services").press_sequentially("perheneuv", delay=40)
    card = staff.locator(".service-card").filter(has_text="Family counselling clinic")
    expect(card).to_be_visible()  # the staff console is in English; found by its Finnish name
    expect(staff.locator(".service-card")).to_have_count(1)

    # Its details are to be verified and it has no phone number or address: it warns first.
    share_anyway = card.get_by_role(
        "button", name="Share Family counselling clinic with the visitor anyway"
    )
    expect(share_anyway).to_be_hidden()
    card.get_by_text("Share with visitor", exact=True).focus()
    staff.keyboard.press("Enter")  # the keyboard opens the confirmation
    expect(card.get_by_text("This card has no phone number or address.")).to_be_visible()
    expect(card.get_by_text("Contact details are not certain", exact=False)).to_be_visible()
    expect(visitor.get_by_text("Family counselling clinic")).to_have_count(0)
    share_anyway.focus()
    staff.keyboard.press("Enter")
    expect(
        staff.get_by_text("Family counselling clinic was shared with the visitor.")
    ).to_be_visible()
    shared = visitor.locator("[data-messages] .message .body").last
    expect(shared).to_contain_text("Family counselling clinic")
    expect(shared).to_contain_text("No referral needed.")
    expect(shared).not_to_contain_text("Perheneuvola")

    card.get_by_label("Outcome").select_option(label="Referral made with consent")
    card.get_by_role("button", name="Add Family counselling clinic as referral").click()
    expect(staff.get_by_text("Referral recorded: Family counselling clinic")).to_be_visible()

    staff.get_by_role("link", name="Contact record (Draft)").click()
    referrals = staff.get_by_role("region", name="Referrals")
    expect(referrals).to_contain_text("Family counselling clinic · Referral made with consent")
    expect(staff.get_by_label("Referral made with consent")).to_be_checked()
    referral = Referral.objects.get()
    assert (referral.service.key, referral.outcome) == ("family-counselling-clinic", "made")
    assert csp_violations.found == []


@pytest.mark.parametrize("width", [390, 1280])
def test_the_public_services_checkbox_sits_on_its_labels_line(asgi_server, browser, width):
    """Issue 21: the public form stretched the checkbox to the full width, on a line of its
    own above its words."""
    page = browser.new_page(viewport={"width": width, "height": 800})
    page.goto(f"{asgi_server.url}/en/services/")
    box = page.get_by_role("checkbox", name="Accepts anonymous clients").bounding_box()
    label = page.locator(".field.checkbox label").bounding_box()
    assert box["width"] < 40
    # The checkbox's middle is within the label's first line, and the words follow it.
    assert label["y"] <= box["y"] + box["height"] / 2 <= label["y"] + 2 * box["height"]
    words = page.evaluate(
        """() => {
          const label = document.querySelector(".field.checkbox label");
          const range = document.createRange();
          range.selectNodeContents(label.lastChild);
          const r = range.getBoundingClientRect();
          return {x: r.x, y: r.y, height: r.height};
        }"""
    )
    assert abs((words["y"] + words["height"] / 2) - (box["y"] + box["height"] / 2)) < 12
    assert words["x"] > box["x"]

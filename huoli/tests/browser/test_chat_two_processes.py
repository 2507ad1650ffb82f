"""The same chat with the visitor on one ASGI process and the counsellor on another, sharing
Redis and the database. Runs where REDIS_URL is set (CI's PostgreSQL + Redis run)."""

import os

import pytest
from playwright.sync_api import expect

from huoli.tests.asgi_process import AsgiProcess
from huoli.tests.browser.test_chat import (
    bodies,
    counsellor_on_duty,
    counsellor_takes_chat,
    exchange,
    visitor_starts_chat,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL"),
]


@pytest.fixture
def two_processes(demo_staff):
    env = {"HUOLI_DEMO": "1", "HUOLI_PROFILE": "development", "HUOLI_DEBUG": "0"}
    processes = [AsgiProcess(**env), AsgiProcess(**env)]
    for process in processes:
        process.start()
    yield processes
    for process in processes:
        process.stop()


def test_a_chat_between_two_asgi_processes(two_processes, browser, csp_violations):
    visitor_server, staff_server = two_processes
    staff = csp_violations(browser.new_context(locale="en-GB").new_page())
    counsellor_on_duty(staff, staff_server.url)
    visitor = csp_violations(browser.new_context(locale="en-GB").new_page())
    code = visitor_starts_chat(visitor, visitor_server.url)
    counsellor_takes_chat(staff, visitor)

    expected = []
    exchange(visitor, staff, range(1, 6), expected)

    # The counsellor's process restarts; the visitor's goes on, and nothing is lost.
    staff_server.stop()
    visitor.get_by_label("Message").fill("while the other process was away")
    visitor.get_by_label("Message").press("Enter")
    expected.append("while the other process was away")
    expect(bodies(visitor)).to_have_text(expected)
    staff_server.start()
    expect(bodies(staff)).to_have_text(expected, timeout=20_000)

    exchange(visitor, staff, range(6, 11), expected)

    later = csp_violations(browser.new_context(locale="en-GB").new_page())
    later.goto(f"{staff_server.url}/return/")
    later.get_by_label("Return code").fill(code)
    later.get_by_role("button", name="Open").click()
    expect(bodies(later)).to_have_text(expected)
    assert csp_violations.found == []

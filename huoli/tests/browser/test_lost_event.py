"""A message whose event never reached the pages (the channel layer lost it: a failed publish,
a subscriber Redis dropped) still shows on both open pages, without a reload or a reconnect:
a later message's seq tells each page that one is missing, and the page asks for it
(``shared/message_gaps.js``, decision 0008)."""

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from huoli.console.consumers import StaffConsumer
from huoli.conversations.models import Conversation
from huoli.conversations.services import messages
from huoli.conversations.services.messages import message_post
from huoli.core import events
from huoli.public import sockets
from huoli.tests.browser.test_chat import bodies
from huoli.tests.browser.test_records import chat_taken

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def chat_with_a_first_message(browser, url: str):
    """A chat the demo counsellor took, open on both pages, where the visitor's "First" has
    reached the console: (console page, visitor page, conversation)."""
    staff, visitor = chat_taken(browser, url)
    conversation = Conversation.objects.get(
        pk=staff.locator("[data-console-chat]").get_attribute("data-conversation")
    )
    visitor.get_by_label("Message").fill("First")
    visitor.get_by_label("Message").press("Enter")
    expect(bodies(staff)).to_have_text(["First"])
    return staff, visitor, conversation


def stored_unannounced(conversation, sender: str, client_id: str, body: str) -> list:
    """A message stored and committed whose events go nowhere (what a lost publish leaves,
    or a server away); returns the events kept back."""
    author = get_user_model().objects.get(username="counsellor") if sender == "counsellor" else None
    with events.collected() as kept:
        message_post(
            conversation=conversation, sender=sender, author=author, client_id=client_id, body=body
        )
    return kept


def test_a_message_whose_event_was_lost_reaches_both_open_pages(demo_staff, asgi_server, browser):
    staff, visitor, conversation = chat_with_a_first_message(browser, asgi_server.url)

    # Stored and committed, but its event goes nowhere: what a lost publish leaves.
    kept = stored_unannounced(conversation, "counsellor", "lost-on-the-way", "Lost on the way")
    assert [message["event"]["type"] for _group, message in kept[:1]] == ["conversation.message"]

    # Until another message comes, nothing tells the pages; then both ask and show it.
    visitor.get_by_label("Message").fill("After")
    visitor.get_by_label("Message").press("Enter")
    expect(bodies(visitor)).to_have_text(["First", "Lost on the way", "After"])
    expect(bodies(staff)).to_have_text(["First", "Lost on the way", "After"])
    # Once each, and nothing left pending on the visitor's page.
    expect(visitor.get_by_text("Sending…")).to_have_count(0)
    expect(visitor.locator('[data-messages] [data-seq="2"]')).to_have_count(1)
    expect(staff.locator('[data-messages] [data-seq="2"]')).to_have_count(1)


def test_a_lost_last_message_reaches_both_open_pages_at_the_periodic_look(
    demo_staff, asgi_server, browser, monkeypatch
):
    """No later message reveals a lost *last* one: each socket's periodic look tells its
    page the conversation's highest seq (``latest``), and the page asks for what it lacks."""
    monkeypatch.setattr(sockets, "REFRESH_SECONDS", 1.0)
    monkeypatch.setattr(StaffConsumer, "recheck_seconds", 1.0)
    staff, visitor, conversation = chat_with_a_first_message(browser, asgi_server.url)

    for sender in ("counsellor", "visitor"):
        body = f"Lost, from the {sender}"
        kept = stored_unannounced(conversation, sender, f"lost-{sender}", body)
        assert [message["event"]["type"] for _group, message in kept[:1]] == [
            "conversation.message"
        ]
    expected = ["First", "Lost, from the counsellor", "Lost, from the visitor"]
    expect(bodies(visitor)).to_have_text(expected, timeout=10_000)
    expect(bodies(staff)).to_have_text(expected, timeout=10_000)
    expect(visitor.locator('[data-messages] [data-seq="3"]')).to_have_count(1)
    expect(staff.locator('[data-messages] [data-seq="3"]')).to_have_count(1)


def test_pages_away_while_many_messages_came_get_them_all_a_page_at_a_time(
    demo_staff, asgi_server, browser, monkeypatch
):
    """The server stops with both pages open; more messages come meanwhile than one answer
    holds (``MESSAGES_PER_ANSWER``, made 4 here); each page reconnects, is answered 4 and
    ``more``, and asks on until it has them all, once each."""
    monkeypatch.setattr(messages, "MESSAGES_PER_ANSWER", 4)
    staff, visitor, conversation = chat_with_a_first_message(browser, asgi_server.url)

    asgi_server.stop()
    expected = ["First"]
    for n in range(2, 12):  # no server to hear them
        sender = "visitor" if n % 2 else "counsellor"
        stored_unannounced(conversation, sender, f"away-{n}", f"While away {n}")
        expected.append(f"While away {n}")
    asgi_server.start()
    expect(bodies(visitor)).to_have_text(expected, timeout=20_000)
    expect(bodies(staff)).to_have_text(expected, timeout=20_000)
    for page in (visitor, staff):
        expect(page.locator("[data-messages] [data-seq]")).to_have_count(11)


def test_a_gap_is_asked_for_once_and_again_by_the_next_connection(asgi_server, browser):
    """The module itself, in the browser: a question that could not go out (the socket was
    closed) leaves the gap to the next connection's hello/watch; each new gap asks again from
    the lowest seq still missing; a gap filled while the page waits asks nothing."""
    page = browser.new_page()
    page.goto(f"{asgi_server.url}/")
    steps = page.evaluate(
        """async () => {
            const { messageGaps } = await import("/static/shared/message_gaps.js");
            const shown = new Set([1, 2, 3]);
            const asks = [];
            let open = false;
            const gaps = messageGaps({
                has: (seq) => shown.has(seq),
                highest: () => Math.max(...shown),
                ask: (after) => { asks.push([after, open]); return open; },
                wait: 20,
            });
            const settle = () => new Promise((resolve) => setTimeout(resolve, 80));
            const steps = {};
            gaps.arrived(6); shown.add(6); // 4 and 5 lost, the socket closed meanwhile
            await settle();
            steps.closed = asks.splice(0);
            steps.resume = gaps.resumeFrom(6); // the reconnect's hello/watch covers them
            open = true;
            gaps.arrived(undefined); // not a message: ignored
            gaps.arrived(7); shown.add(7); // no new gap: no question
            await settle();
            steps.no_new_gap = asks.splice(0);
            gaps.arrived(9); shown.add(9); // 8 lost; 4 and 5 still missing (answer lost)
            await settle();
            gaps.arrived(11); shown.add(11); // 10 lost
            await settle();
            steps.new_gaps = asks.splice(0);
            [4, 5, 8, 10].forEach((seq) => shown.add(seq));
            gaps.arrived(13); shown.add(13); shown.add(12); // 12 comes while the page waits
            await settle();
            steps.filled_meanwhile = asks.splice(0);
            steps.filled = gaps.resumeFrom(13);
            gaps.latest(13); // the server's look: nothing above the page's highest
            gaps.latest("13"); // not a seq: ignored
            await settle();
            steps.latest_none = asks.splice(0);
            gaps.latest(15); // 14 and 15 lost, the last messages
            await settle();
            steps.latest_lost = asks.splice(0);
            gaps.latest(15); // told again: asked once
            await settle();
            steps.latest_again = asks.splice(0);
            gaps.latest(17); shown.add(16); shown.add(17); // on their way: they come meanwhile
            [14, 15].forEach((seq) => shown.add(seq));
            await settle();
            steps.latest_came = asks.splice(0);
            steps.latest_resume = gaps.resumeFrom(17);
            return steps;
        }"""
    )
    assert steps == {
        "closed": [[3, False]],
        "resume": 3,
        "no_new_gap": [],
        "new_gaps": [[3, True], [3, True]],
        "filled_meanwhile": [],
        "filled": 13,
        "latest_none": [],
        "latest_lost": [[13, True]],
        "latest_again": [],
        "latest_came": [],
        "latest_resume": 17,
    }

"""Faults: the database away for a moment (here: held locked by another connection, longer
than this installation waits for a lock). The visitor gets a clear "try again", on the page
without JavaScript and on the socket; nothing is half-saved; once the database is back the
same message is stored exactly once."""

import sqlite3
from contextlib import contextmanager

import pytest
from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from django.db import close_old_connections, connection, connections

from huoli.conversations.models import Message
from huoli.public.tests.test_consumers import connected_visitor, start, stored

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def short_lock_wait():
    """This installation waits a quarter of a second for a lock instead of seconds."""
    options = connection.settings_dict.setdefault("OPTIONS", {})
    saved = dict(options)
    if connection.vendor == "sqlite":
        options["timeout"] = 0.25
    else:
        options["options"] = "-c lock_timeout=250"
    for alias in connections:
        connections[alias].close()
    yield
    options.clear()
    options.update(saved)
    for alias in connections:
        connections[alias].close()


@contextmanager
def database_held(mode: str = "EXCLUSIVE"):
    """Another connection holds the message table locked for writing (on PostgreSQL with
    ``ACCESS EXCLUSIVE`` for reading too) until the block ends."""
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        other = sqlite3.connect(settings["NAME"], isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            other.execute("ROLLBACK")
            other.close()
    else:
        import psycopg

        other = psycopg.connect(
            host=settings["HOST"],
            port=settings["PORT"] or 5432,
            user=settings["USER"],
            password=settings["PASSWORD"],
            dbname=settings["NAME"],
        )
        other.execute(f"LOCK TABLE conversations_message IN {mode} MODE")
        try:
            yield
        finally:
            other.rollback()
            other.close()


def test_without_javascript_the_visitor_is_told_to_try_again_and_keeps_the_text(
    client, short_lock_wait
):
    response = client.post(
        "/en/message/",
        {"body": "Ensimmäinen", "client_id": "c0", "language": "fi", "nickname": ""},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 302
    with database_held():
        refused = client.post(
            "/en/conversation/send/",
            {"body": "Tärkeä viesti", "client_id": "c1"},
            HTTP_ACCEPT_LANGUAGE="en",
        )
    assert refused.status_code == 503
    html = refused.content.decode()
    assert "We could not save your message just now" in html
    assert "Tärkeä viesti</textarea>" in html
    close_old_connections()
    assert [m.body for m in Message.objects.all()] == ["Ensimmäinen"]
    again = client.post("/en/conversation/send/", {"body": "Tärkeä viesti", "client_id": "c1"})
    assert again.status_code == 302
    assert [m.body for m in Message.objects.order_by("seq")] == [
        "Ensimmäinen",
        "Tärkeä viesti",
    ]


def test_a_new_message_without_javascript_keeps_its_text_too(client, short_lock_wait):
    with database_held():
        refused = client.post(
            "/en/message/",
            {"body": "Poikani", "client_id": "c0", "language": "fi", "nickname": ""},
            HTTP_ACCEPT_LANGUAGE="en",
        )
    assert refused.status_code == 503
    assert "Poikani</textarea>" in refused.content.decode()
    assert refused.cookies == {}  # no conversation was started


async def test_on_the_socket_the_message_is_kept_refused_then_stored_once(short_lock_wait):
    # The thread the sockets reach the database from opens its connection anew, with the
    # short lock wait.
    await database_sync_to_async(connections.close_all)()
    try:
        access = await start()
        socket, _state = await connected_visitor(access.token)
        frame = {"type": "message", "client_id": "m-1", "body": "Hei"}
        holder = database_held()
        await sync_to_async(holder.__enter__, thread_sensitive=False)()
        try:
            await socket.send_json_to(frame)
            reply = await socket.receive_json_from(timeout=10)
        finally:
            await sync_to_async(holder.__exit__, thread_sensitive=False)(None, None, None)
        assert reply == {"type": "error", "code": "unavailable", "retry": True, "client_id": "m-1"}
        assert await stored(access.conversation.pk) == []
        # The page sends it again (shared/socket.js retryLater); now it is stored, and only once.
        await socket.send_json_to(frame)
        ack = await socket.receive_json_from(timeout=5)
        assert (ack["type"], ack["client_id"], ack["seq"]) == ("ack", "m-1", 1)
        await socket.send_json_to(frame)
        assert await socket.receive_json_from(timeout=5) == ack
        assert await stored(access.conversation.pk) == [(1, "m-1", "Hei")]
        await socket.disconnect()
    finally:  # and again, so later tests get the usual lock wait there
        await database_sync_to_async(connections.close_all)()


def test_a_page_that_cannot_read_says_try_again_with_503(client, short_lock_wait):
    if connection.vendor == "sqlite":
        pytest.skip("SQLite's write-ahead log never blocks readers")
    client.post("/en/message/", {"body": "E", "client_id": "c0", "language": "fi", "nickname": ""})
    with database_held("ACCESS EXCLUSIVE"):
        response = client.get("/en/conversation/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 503 and response["Retry-After"] == "5"
    assert "We could not reach our records just now" in response.content.decode()

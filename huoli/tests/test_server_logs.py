"""Promise 1 (docs/design.md) against a real server process: uvicorn started exactly as `make run`
and a production worker's systemd unit start it carries a whole chat, a message without
JavaScript, a wrong return code, 404s, a refused socket and a malformed request; afterwards
nothing the process wrote to stdout or stderr, nothing in the database, and (in production)
nothing it put in Redis, whose guessing counters are keyed by a daily-keyed hash, holds the
visitor's address (the connecting one and the one a proxy forwards), a source port or the user
agent."""

from __future__ import annotations

import contextlib
import http.client
import json
import socket
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlencode

import pytest
import redis
from asgiref.sync import async_to_sync
from django.conf import settings
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from huoli.console.tests.test_consumers import staff_session
from huoli.conversations.models import Conversation
from huoli.conversations.services.queue import conversation_take
from huoli.conversations.tests.factories import open_line_with_counsellor
from huoli.core.roles import Role
from huoli.tests.asgi_process import (
    ROOT,
    AsgiProcess,
    make_run_flags,
    mentions,
    production_flags,
    redis_for_production,
)
from huoli.tests.dbfile import everything_stored, sqlite_file_bytes

pytestmark = pytest.mark.django_db(transaction=True)

CONNECTING = "127.0.0.1"  # the address every connection of this test comes from
FORWARDED = "203.0.113.77"  # the visitor's address as a proxy forwards it
USER_AGENT = "Mozilla/5.0 (HuoliUniqueAgent 7.7; marker-ua-2026)"


class Visitor:
    """Talks to the server as a browser does, directly or through a TLS proxy (which adds
    X-Forwarded-For and X-Forwarded-Proto); remembers its source ports and paths."""

    def __init__(self, port: int, *, behind_proxy: bool):
        self.port = port
        self.origin = f"{'https' if behind_proxy else 'http'}://127.0.0.1:{port}"
        self.ports: set[int] = set()
        self.paths: set[str] = set()
        self.proxy_headers = (
            {"X-Forwarded-For": FORWARDED, "X-Forwarded-Proto": "https"} if behind_proxy else {}
        )

    def http(self, method: str, path: str, form: dict | None = None, *, cookie: str = ""):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        connection.connect()
        self.ports.add(connection.sock.getsockname()[1])
        self.paths.add(path)
        headers = {"User-Agent": USER_AGENT, "Accept-Language": "en", "Origin": self.origin}
        headers.update(self.proxy_headers)
        if cookie:
            headers["Cookie"] = cookie
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        content = response.read().decode(errors="replace")
        connection.close()
        return response, content

    def websocket(self, path: str, cookie: str, *, origin: str | None = None):
        self.paths.add(path)
        socket = connect(
            f"ws://127.0.0.1:{self.port}{path}",
            origin=origin or self.origin,
            user_agent_header=USER_AGENT,
            additional_headers={"Cookie": cookie, **self.proxy_headers},
            open_timeout=30,
        )
        self.ports.add(socket.local_address[1])
        return socket

    def raw(self, data: bytes) -> bytes:
        with socket.create_connection(("127.0.0.1", self.port), timeout=30) as raw:
            self.ports.add(raw.getsockname()[1])
            raw.sendall(data)
            return raw.recv(65536)


def receive(socket, wanted: str) -> dict:
    while True:
        frame = json.loads(socket.recv(timeout=20))
        if frame["type"] == wanted:
            return frame


def redis_contents(url: str) -> bytes:
    """Every key in the Redis database at ``url`` and its value as Redis serialises it."""
    client = redis.Redis.from_url(url)
    try:
        return b"\n".join(key + b" " + (client.dump(key) or b"") for key in client.scan_iter())
    finally:
        client.close()


def production_server(tmp_path: Path, log_path: Path, redis_url: str) -> AsgiProcess:
    """A production worker (deploy/systemd/huoli@.service), behind the test as its proxy."""
    env = {
        "HUOLI_PROFILE": "production",
        "REDIS_URL": redis_url,
        "HUOLI_DEBUG": "0",
        "HUOLI_DEMO": "0",
        "HUOLI_VAR_DIR": str(tmp_path / "var"),
        "ALLOWED_HOSTS": "127.0.0.1",
    }
    server = AsgiProcess(flags=production_flags(), log_path=log_path, **env)
    collected = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "-v", "0"],
        cwd=ROOT, env=server.env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert collected.returncode == 0, collected.stderr
    return server


@pytest.mark.parametrize("command", ["make run", "production"])
def test_a_real_server_logs_and_stores_no_address_port_or_user_agent(command, tmp_path):
    with contextlib.ExitStack() as stack:
        _carry_everything_through(command, tmp_path, stack)


def _carry_everything_through(command, tmp_path, stack):
    log_path = tmp_path / "server.log"
    if command == "production":
        redis_url = stack.enter_context(redis_for_production())
        server = production_server(tmp_path, log_path, redis_url)
        assert "--forwarded-allow-ips" in server.flags
    else:
        server = AsgiProcess(flags=make_run_flags(), log_path=log_path, HUOLI_PURGE_DAILY="1")
    counsellor, session_key = async_to_sync(staff_session)(role=Role.COUNSELLOR)
    open_line_with_counsellor(counsellor=counsellor)
    staff_cookie = f"{settings.SESSION_COOKIE_NAME}={session_key}"

    server.start()
    try:
        visitor = Visitor(server.port, behind_proxy=command == "production")
        response, _ = visitor.http("GET", "/en/")
        assert response.status == 200
        response, body = visitor.http("HEAD", "/en/")
        assert (response.status, body) == (200, "")
        response, _ = visitor.http("POST", "/en/chat/start/", {"language": "en", "nickname": "M"})
        assert response.status == 302, response.status
        set_cookie = response.getheader("Set-Cookie")
        assert set_cookie.startswith(f"{settings.HUOLI_VISITOR_COOKIE}=")
        cookie = set_cookie.split(";", 1)[0]
        conversation = Conversation.objects.get()
        conversation_take(counsellor=counsellor, conversation_id=conversation.pk)

        # The chat: the visitor on a socket, the counsellor on the console's socket.
        with visitor.websocket("/chat/ws/", cookie) as chat:
            receive(chat, "state")
            chat.send(json.dumps({"type": "message", "client_id": "v1", "body": "hello"}))
            assert receive(chat, "ack")["seq"] == 1
            with visitor.websocket("/console/ws/", staff_cookie) as console:
                watch = {"type": "watch", "conversation_id": conversation.pk}
                console.send(json.dumps(watch))
                receive(console, "watching")
                frame = {"type": "message", "conversation_id": conversation.pk,
                         "client_id": "c1", "body": "welcome"}  # fmt: skip
                console.send(json.dumps(frame))
                assert receive(console, "ack")["seq"] == 2
        # Without JavaScript: a message from the form, and the page with the whole chat.
        response, _ = visitor.http(
            "POST", "/en/conversation/send/", {"client_id": "v2", "body": "no script"},
            cookie=cookie,
        )  # fmt: skip
        assert response.status == 302
        response, page = visitor.http("GET", "/en/conversation/", cookie=cookie)
        assert response.status == 200
        assert all(text in page for text in ("hello", "welcome", "no script"))

        # What goes wrong: a wrong return code, 404s, a refused socket, a malformed request.
        response, _ = visitor.http("POST", "/en/return/", {"code": "0000 0000 0000 0001"})
        assert response.status == 400
        assert visitor.http("GET", "/en/conversation/")[0].status == 404
        assert visitor.http("GET", "/en/no-such-page/")[0].status == 404
        with pytest.raises(InvalidStatus):
            visitor.websocket("/chat/ws/", cookie, origin="https://elsewhere.example")
        assert visitor.raw(b"NONSENSE\r\n\r\n").startswith(b"HTTP/1.1 400")
    finally:
        server.stop()

    output = server.output()
    assert "Started server process" in output, output  # the capture works
    stored = everything_stored()
    file_bytes = sqlite_file_bytes()
    cached = b""
    if command == "production":
        # What the server put in Redis: the guessing counter of the wrong return code is
        # there, keyed by a daily-keyed hash of the source (conversations.throttle).
        cached = redis_contents(redis_url)
        assert b"throttle:rc:src:" in cached
    for needle in (CONNECTING, FORWARDED, "HuoliUniqueAgent", "marker-ua-2026"):
        assert needle not in output, f"{needle} in the log:\n{output}"
        assert needle not in stored
        assert needle.encode() not in file_bytes
        assert needle.encode() not in cached, f"{needle} in Redis"
    assert len(visitor.ports) >= 10
    for port in visitor.ports:
        assert not mentions(output, port), f"source port {port} in the log:\n{output}"
        assert not mentions(stored, port), f"source port {port} in the database"
    for path in visitor.paths:
        assert path not in output, f"the visitor's path {path} in the log:\n{output}"

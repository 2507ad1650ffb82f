"""A frame far over any legitimate size is refused by the server itself (uvicorn's
--ws-max-size, as `make run` and a production worker's systemd unit start it): the socket is
closed with 1009 after the frame's header, before the server has read the frame, and the
server goes on serving. The largest frame a visitor may send still gets an answer."""

from __future__ import annotations

import base64
import json
import os
import socket
import struct
import time

import pytest
from django.conf import settings
from websockets.sync.client import connect

from huoli.conversations.tests.factories import chat_start
from huoli.core.frames import MAX_FRAME_CHARS
from huoli.tests.asgi_process import AsgiProcess, make_run_flags, production_flags

pytestmark = pytest.mark.django_db(transaction=True)

HUGE = 15 * 1024 * 1024


@pytest.fixture
def server():
    process = AsgiProcess(flags=make_run_flags())
    process.start()
    yield process
    process.stop()


def read_exactly(raw: socket.socket, count: int) -> bytes:
    data = b""
    while len(data) < count:
        chunk = raw.recv(count - len(data))
        if not chunk:
            raise ConnectionError("closed before a whole frame")
        data += chunk
    return data


def read_frame(raw: socket.socket) -> tuple[int, bytes]:
    first, second = read_exactly(raw, 2)
    length = second & 0x7F
    if length == 126:
        (length,) = struct.unpack("!H", read_exactly(raw, 2))
    elif length == 127:
        (length,) = struct.unpack("!Q", read_exactly(raw, 8))
    return first & 0x0F, read_exactly(raw, length)


def test_the_documented_command_lines_cap_frames_above_the_largest_legitimate_one():
    for flags in (make_run_flags(), production_flags()):
        cap = int(flags[flags.index("--ws-max-size") + 1])
        assert MAX_FRAME_CHARS * 4 < cap <= 1024 * 1024  # 4 bytes per character at most


def test_a_huge_frame_is_refused_unread_and_the_server_goes_on(server):
    token = chat_start(language="en").token
    key = base64.b64encode(os.urandom(16)).decode()
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as raw:
        raw.sendall(
            (
                "GET /chat/ws/ HTTP/1.1\r\n"
                f"Host: 127.0.0.1:{server.port}\r\n"
                "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
                f"Origin: {server.url}\r\n"
                f"Cookie: {settings.HUOLI_VISITOR_COOKIE}={token}\r\n\r\n"
            ).encode()
        )
        response = b""
        while b"\r\n\r\n" not in response:
            response += raw.recv(4096)
        assert response.startswith(b"HTTP/1.1 101"), response
        # Only the header of a 15 MiB text frame and its first kilobyte are ever sent.
        mask = os.urandom(4)
        raw.sendall(bytes([0x81, 0x80 | 127]) + struct.pack("!Q", HUGE) + mask + b"\0" * 1024)
        deadline = time.monotonic() + 10
        while True:
            assert time.monotonic() < deadline, "the server waits for the rest of the frame"
            opcode, payload = read_frame(raw)  # the "state" frame comes first
            if opcode == 0x8:
                break
        assert struct.unpack("!H", payload[:2])[0] == 1009

    # The server still serves: a page, and a socket that carries the largest legitimate frame.
    with connect(
        f"ws://127.0.0.1:{server.port}/chat/ws/",
        origin=server.url,
        additional_headers={"Cookie": f"{settings.HUOLI_VISITOR_COOKIE}={token}"},
        open_timeout=30,
    ) as chat:
        assert json.loads(chat.recv(timeout=20))["type"] == "state"
        head, tail = '{"type": "message", "client_id": "big", "body": "', '"}'
        frame = head + "\U0001f600" * (MAX_FRAME_CHARS - len(head) - len(tail)) + tail
        assert len(frame.encode()) > 60_000
        chat.send(frame)
        answer = json.loads(chat.recv(timeout=20))
        assert answer["type"] in {"ack", "error"}, answer

"""nginx's error lines lose the client's (and any) address on the way to the file."""

from __future__ import annotations

import socket
import subprocess
import sys
import time

from huoli.core.nginx_log import line_from_datagram
from huoli.tests.asgi_process import ROOT

NGINX_LINE = (
    b"<11>Dec  2 07:01:02 nginx: 2026/12/02 07:01:02 [error] 4242#4242: *17 client intended to "
    b"send too large body: 4194304 bytes, client: 203.0.113.77, server: huoli.example.org, "
    b'request: "POST /fi/message/ HTTP/1.1", upstream: "http://127.0.0.1:8001/fi/message/", '
    b'host: "huoli.example.org", referrer: "https://[2001:db8::7]:8443/fi/return/?code=1234"'
)
QUERY_LINE = (
    b'<11>Dec  2 07:01:02 nginx: [error] 7#7: *3 open() "/srv/huoli/static/x.js" failed (2: No '
    b'such file or directory), client: 192.0.2.1, server: huoli.example.org, request: "GET '
    b'/static/x.js?token=secret-in-query HTTP/1.1", host: "huoli.example.org"'
)


def test_a_line_keeps_the_error_and_loses_every_address():
    line = line_from_datagram(NGINX_LINE)
    assert "client intended to send too large body" in line
    assert 'request: "POST /fi/message/ HTTP/1.1"' in line
    assert " error " in line  # severity 11 % 8 = 3
    assert "203.0.113.77" not in line
    assert "2001:db8::7" not in line
    assert "127.0.0.1" not in line
    assert 'upstream: "huoli@8001/fi/message/"' in line  # which worker, on this host
    assert line.count("[address]") == 1  # the client; the referrer (another) is gone
    assert "referrer" not in line
    assert "code=1234" not in line


def test_query_strings_are_cut():
    line = line_from_datagram(QUERY_LINE)
    assert 'request: "GET /static/x.js HTTP/1.1"' in line
    assert "secret-in-query" not in line
    assert "192.0.2.1" not in line


def test_the_server_writes_what_nginx_sends(tmp_path):
    sock, log = tmp_path / "nginx.sock", tmp_path / "log" / "nginx-error.log"
    server = subprocess.Popen(
        [sys.executable, "-m", "huoli.core.nginx_log", str(sock), str(log)], cwd=ROOT
    )
    try:
        deadline = time.monotonic() + 20
        while not sock.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sender:
            sender.sendto(NGINX_LINE, str(sock))
        while not (log.exists() and log.read_text()) and time.monotonic() < deadline:
            time.sleep(0.05)
        text = log.read_text()
        assert "too large body" in text
        assert "203.0.113.77" not in text
    finally:
        server.terminate()
        server.wait(timeout=10)

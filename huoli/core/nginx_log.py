"""nginx's error log without addresses (decision 0039).

nginx writes ``client: <address>`` into every error line about a request and has no setting to
leave it out. ``deploy/nginx`` sends its error log to a local syslog socket instead
(``error_log syslog:server=unix:/run/huoli-log/nginx.sock``); this small server, started by
``huoli-nginx-log.service``, receives each line, replaces every IP address (and its port) by
``[address]`` with the same ``scrub`` as the application's own logs, cuts query strings and the
referrer (the access log keeps no query either), and appends the line to a file. No address is
ever written, and what operators need stays (time, level, the error, the request line, which
worker: ``upstream: "huoli@8001/...``).

    python -m huoli.core.nginx_log SOCKET LOGFILE [--group GROUP]

With ``--group`` (nginx's, www-data) only that group may send to the socket.

Imports nothing from Django, like ``huoli.core.logfilters``.
"""

from __future__ import annotations

import grp
import os
import re
import signal
import socket
import sys
import time
from pathlib import Path

from huoli.core.logfilters import scrub

# "<PRI>Mon  2 12:00:00 tag: message" (RFC 3164, as nginx sends it with "nohostname").
_SYSLOG_HEADER = re.compile(rb"^<(\d{1,3})>(?:[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d )?")
# The workers are on this host: their port says which one, and is kept ("huoli@8001").
_UPSTREAM = re.compile(r'upstream: "\w+://(?:127\.0\.0\.1|\[::1\]):(\d{1,5})')
# A query string inside a quoted request or address, and nginx's ", referrer: "..."" part.
_QUERY = re.compile(r'\?[^"\s]*(?=[\s"])')
_REFERRER = re.compile(r', referrer: "[^"]*"')
_SEVERITIES = ("emerg", "alert", "crit", "error", "warn", "notice", "info", "debug")


def line_from_datagram(datagram: bytes) -> str:
    """The log line to write for one syslog datagram from nginx: the time here, the
    severity, and the message with every address replaced."""
    match = _SYSLOG_HEADER.match(datagram)
    severity = ""
    if match:
        severity = _SEVERITIES[int(match.group(1)) % 8]
        datagram = datagram[match.end() :]
    text = datagram.decode("utf-8", errors="replace").strip().replace("\n", " ")
    text = _UPSTREAM.sub(r'upstream: "huoli@\1', text)
    text = _QUERY.sub("", _REFERRER.sub("", text))
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    return f"{stamp} {severity} {scrub(text)}\n".replace("  ", " ")


def serve(socket_path: Path, log_path: Path, group: str | None = None) -> None:
    socket_path.unlink(missing_ok=True)
    receiver = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    receiver.bind(str(socket_path))
    # nginx's workers run as another user, in ``group``: they may send; nobody else may.
    if group is not None:
        os.chown(socket_path, -1, grp.getgrnam(group).gr_gid)
        os.chmod(socket_path, 0o620)
    else:
        os.chmod(socket_path, 0o622)  # noqa: S103 (anyone may send, as to /dev/log)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    log_path.parent.mkdir(parents=True, exist_ok=True)
    while True:
        datagram = receiver.recv(65536)
        # Opened for each line: logrotate may have moved the file since the last one.
        with log_path.open("a", encoding="utf-8") as log:
            log.write(line_from_datagram(datagram))


def main(argv: list[str]) -> None:
    group = None
    if len(argv) == 4 and argv[2] == "--group":
        group = argv[3]
    elif len(argv) != 2:
        sys.exit("usage: python -m huoli.core.nginx_log SOCKET LOGFILE [--group GROUP]")
    serve(Path(argv[0]), Path(argv[1]), group)


if __name__ == "__main__":
    main(sys.argv[1:])

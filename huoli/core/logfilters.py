"""Promise 1 (docs/design.md) in the logs: no line that leaves a process names a visitor's address
or port, or the path of a visitor's refused request (decision 0018).

``NoVisitorTraces`` sits on the one handler every record goes through
(``huoli/logging.json``, used by Django's settings and by uvicorn's ``--log-config``), so it
holds for every logger, also third-party ones, and for tracebacks. It:

- drops uvicorn's lines about single connections (``<address>:<port> - "WebSocket /path"
  [accepted]``, ``connection open``/``closed``/``rejected``): an access log by another name;
- drops Django's ``Not Found: /path``-style lines for 4xx answers (a visitor's own mistakes,
  with their time) and shortens ``django.security`` lines to the kind of refusal;
- keeps 5xx errors with their path and traceback for operators, and never prints the
  request (Django attaches it to the record; its repr holds the address and user agent);
- replaces every IPv4 or IPv6 address, with its port, in any remaining message or traceback
  by ``[address]``.

This module imports nothing from Django: uvicorn loads it before the application.
"""

from __future__ import annotations

import ipaddress
import logging
import re

REDACTED = "[address]"
_PORT = r"(?::\d{1,5}|['\"]?,\s*\d{1,5}(?=[),]))?"  # ":5000", or "', 5000)" in a repr
# An address may end a sentence ("from 203.0.113.7."): a full stop after it ends it too.
_IPV4 = re.compile(rf"(?<![\w.])(?:\d{{1,3}}\.){{3}}\d{{1,3}}{_PORT}(?!\w|\.\d)")
_IPV6 = re.compile(
    r"\[?(?<![\w:.])((?:[0-9A-Fa-f]{0,4}:){2,7}(?:[0-9A-Fa-f]{1,5}|(?:\d{1,3}\.){3}\d{1,3})?)"
    rf"(?:%[\w.-]+)?\]?{_PORT}(?![\w:]|\.\d)"
)
_PER_CONNECTION = re.compile(r'"WebSocket %s"|^%s|^connection (?:open|closed|rejected)')


def _ipv6(match: re.Match) -> str:
    candidate = match.group(1)
    for text in (candidate, candidate.rsplit(":", 1)[0]):  # "::1:54321" is "::1" and a port
        try:
            ipaddress.IPv6Address(text)
        except ValueError:
            continue
        return REDACTED
    return match.group(0)


def scrub(text: str) -> str:
    """``text`` with every IP address (and the port after it) replaced by ``[address]``."""
    return _IPV4.sub(REDACTED, _IPV6.sub(_ipv6, text))


class NoVisitorTraces(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if (
            record.name.startswith("uvicorn")
            and record.levelno < logging.WARNING
            and _PER_CONNECTION.search(str(record.msg))
        ):
            return False
        status = getattr(record, "status_code", None)
        refused = isinstance(status, int) and status < 500
        if record.name == "django.request" and refused:
            return False
        if record.name.startswith("django.security") and (refused or status is None):
            record.msg, record.args = "Refused a request (%s)", (record.name.rsplit(".")[-1],)
            record.exc_info = record.exc_text = None
        record.__dict__.pop("request", None)
        record.__dict__.pop("color_message", None)  # uvicorn's coloured copy of the message
        record.msg, record.args = scrub(record.getMessage()), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = scrub(record.exc_text)
        if record.stack_info:
            record.stack_info = scrub(record.stack_info)
        return True

"""The log filter of decision 0018 on Django's own error lines: a 5xx keeps its path and
traceback for operators but carries no address, port or user agent; 4xx lines are dropped;
security refusals name only their kind."""

from __future__ import annotations

import io
import logging

import pytest
from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.http import HttpResponse
from django.test import RequestFactory
from django.utils.log import log_response

from huoli.core.logfilters import NoVisitorTraces, scrub

USER_AGENT = "HuoliUniqueAgent/7.7"


@pytest.fixture
def written():
    """What the project's handler (its filter and format) writes for django.* records."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(NoVisitorTraces())
    handler.setFormatter(logging.Formatter(settings.LOGGING["formatters"]["plain"]["format"]))
    logger = logging.getLogger("django")
    logger.addHandler(handler)
    yield stream
    logger.removeHandler(handler)


def visitor_request(path: str):
    return RequestFactory().get(
        path, REMOTE_ADDR="198.51.100.9", REMOTE_PORT="45678", HTTP_USER_AGENT=USER_AGENT
    )


def test_a_server_error_keeps_path_and_traceback_but_no_address_or_agent(written):
    request = visitor_request("/en/conversation/")
    try:
        address, port = request.META["REMOTE_ADDR"], request.META["REMOTE_PORT"]
        raise ValueError(f"broke for {address}:{port}")
    except ValueError as error:
        log_response(
            "Internal Server Error: %s", request.path,
            response=HttpResponse(status=500), request=request, exception=error,
        )  # fmt: skip
    text = written.getvalue()
    assert "Internal Server Error: /en/conversation/" in text
    assert "ValueError: broke for [address]" in text
    assert "198.51.100.9" not in text
    assert "45678" not in text
    assert USER_AGENT not in text


def test_refused_requests_leave_no_path_and_security_lines_only_their_kind(written):
    request = visitor_request("/en/return/")
    for status in (400, 403, 404, 405):
        log_response("Refused: %s", request.path, response=HttpResponse(status=status),
                     request=request)  # fmt: skip
    logging.getLogger("django.security.DisallowedHost").error(
        "Invalid HTTP_HOST header: 'evil.example'.",
        exc_info=DisallowedHost("x"),
        extra={"status_code": 400, "request": request},
    )
    text = written.getvalue()
    assert "/en/return/" not in text
    assert "evil.example" not in text
    assert text.strip().endswith(
        "django.security.DisallowedHost Refused a request (DisallowedHost)"
    )


@pytest.mark.parametrize(
    ("line", "kept"),
    [
        ("connection from 203.0.113.77.", "connection from [address]."),
        ("peer 2001:db8::77.", "peer [address]."),
        ("client 203.0.113.77:51234.", "client [address]."),
        ("upstream [2001:db8::1]:443.", "upstream [address]."),
        ("listening on [::1]:8000, ready", "listening on [address], ready"),
        ("mapped ::ffff:198.51.100.9 refused", "mapped [address] refused"),
        ("Python 3.11.7 and Django 5.2", "Python 3.11.7 and Django 5.2"),
    ],
)
def test_an_address_is_redacted_with_its_port_also_at_the_end_of_a_sentence(line, kept):
    assert scrub(line) == kept

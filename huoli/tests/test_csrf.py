"""Every URL that changes something refuses a forged POST, walked over every named URL
pattern: staff pages by the CSRF token, public pages (which may set no cookie before a
conversation, decision 0007) by the Origin header a browser sends with every POST."""

from __future__ import annotations

import pytest
from django.test import Client

from huoli.accounts.tests.factories import log_in_with_device
from huoli.core.models import AuditEntry
from huoli.core.roles import Role
from huoli.tests.test_url_matrix import clients, named_patterns, sample_url  # noqa: F401

pytestmark = pytest.mark.django_db


def forged_client(user=None, device=None) -> Client:
    client = Client(enforce_csrf_checks=True)
    return log_in_with_device(client, user, device) if user is not None else client


def test_no_post_is_accepted_without_the_csrf_token(clients, enrolled):  # noqa: F811
    _by_role, users = clients
    from django_otp.plugins.otp_totp.models import TOTPDevice

    staff = {
        role: forged_client(users[role], TOTPDevice.objects.get(user=users[role]))
        for role in (Role.SUPERVISOR, Role.ADMINISTRATOR)
    }
    anonymous = forged_client()
    last_before = AuditEntry.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    accepted = []
    refused_by_token = set()
    for name, pattern in named_patterns():
        url = sample_url(name, pattern, users)
        attempts = [(who, client, "https://evil.example") for who, client in staff.items()]
        # Staff pages also without any Origin: then the token alone must refuse it.
        attempts += [(f"{who} without Origin", client, None) for who, client in staff.items()]
        attempts.append(("anonymous", anonymous, "https://evil.example"))
        for who, client, origin in attempts:
            if origin is None and not name.startswith(("console:", "admin:")):
                continue
            headers = {"HTTP_ORIGIN": origin} if origin else {}
            response = client.post(url, {"body": "x", "client_id": "forged"}, **headers)
            if origin is None and response.status_code == 403:
                refused_by_token.add(name)
            # 403: refused by the CSRF check; 405: does not take POST at all; a redirect to
            # the login is no change either.
            if response.status_code in (403, 405, 404):
                continue
            if response.status_code == 302 and "/login/" in response.get("Location", ""):
                continue
            accepted.append(f"{name} as {who}: {response.status_code}")
    assert accepted == [], "\n".join(accepted)
    # The walk really reached the token check (not only 405s and 404s).
    assert {"console:duty", "console:take", "console:case_update", "console:logout"} <= (
        refused_by_token
    )
    # Only the reads the walk itself made (none of them POSTs) may have been recorded.
    assert not AuditEntry.objects.filter(seq__gt=last_before, action__contains="created").exists()

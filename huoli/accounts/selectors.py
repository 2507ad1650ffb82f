"""Reads about staff accounts."""

from __future__ import annotations

import hashlib
from importlib import import_module

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.utils.crypto import constant_time_compare

from huoli.accounts.models import User
from huoli.accounts.twofactor import session_two_factor_satisfied
from huoli.core.policy import user_has_permission


def session_fingerprint(session_key: str | None) -> str:
    """Names one session in events without the key itself (which would open it)."""
    return hashlib.sha256(f"huoli-session:{session_key}".encode()).hexdigest()[:32]


def staff_socket_role(*, user_id: int | None, session_key: str | None) -> str | None:
    """The role of the staff member behind a console socket as it is now, or None when the
    socket must close.

    Threat answered: a socket that outlives its rights (issue 13). The session must still
    exist and not have expired, belong to the same user with the same password (the session
    hash, as Django checks on every request), the account must be active with a console role,
    and two-factor must still be done with a confirmed device. Nothing is written: unlike
    ``django.contrib.auth.get_user`` this never flushes or cycles the session.
    """
    if not user_id or not session_key:
        return None
    data = import_module(settings.SESSION_ENGINE).SessionStore(session_key).load()
    if str(data.get(SESSION_KEY)) != str(user_id) or data.get(BACKEND_SESSION_KEY) is None:
        return None
    user = User.objects.filter(pk=user_id).first()
    if user is None or not user_has_permission(user, "console.use"):
        return None
    session_hash = data.get(HASH_SESSION_KEY) or ""
    if not any(
        constant_time_compare(session_hash, known)
        for known in [user.get_session_auth_hash(), *user.get_session_auth_fallback_hash()]
    ):
        return None
    if not session_two_factor_satisfied(user, data):
        return None
    return user.role

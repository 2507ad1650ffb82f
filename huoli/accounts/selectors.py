"""Reads about staff accounts."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from importlib import import_module

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from huoli.accounts.models import User
from huoli.accounts.twofactor import sessions_two_factor_satisfied
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
    return staff_socket_roles([(user_id, session_key)])[(user_id, session_key)]


def _sessions_data(keys: set[str]) -> dict[str, dict]:
    """The data of each live (existing, unexpired) session among ``keys``; with the
    database session engine in one query."""
    engine = import_module(settings.SESSION_ENGINE)
    store = engine.SessionStore
    if not hasattr(store, "get_model_class"):  # not stored in the database: one by one
        return {key: store(key).load() for key in keys}
    rows = store.get_model_class().objects.filter(
        session_key__in=keys, expire_date__gt=timezone.now()
    )
    return {row.session_key: store().decode(row.session_data) for row in rows}


def staff_socket_roles(
    pairs: Iterable[tuple[int | None, str | None]],
) -> dict[tuple[int | None, str | None], str | None]:
    """``staff_socket_role`` of several (user id, session key) pairs, with a fixed number
    of queries however many (the message writer checks a batch's senders at once)."""
    pairs = set(pairs)
    roles: dict[tuple[int | None, str | None], str | None] = dict.fromkeys(pairs)
    asked = {(user_id, key) for user_id, key in pairs if user_id and key}
    sessions = _sessions_data({key for _user_id, key in asked}) if asked else {}
    # What is read of each user below: the password (its session hash), the role, whether
    # active, whether a demo account (exempt from two-factor in a demo).
    users = User.objects.only("password", "role", "is_active", "is_demo").in_bulk(
        {user_id for user_id, _key in asked}
    )
    candidates = []
    for user_id, key in asked:
        data = sessions.get(key) or {}
        if str(data.get(SESSION_KEY)) != str(user_id) or data.get(BACKEND_SESSION_KEY) is None:
            continue
        user = users.get(user_id)
        if user is None or not user_has_permission(user, "console.use"):
            continue
        session_hash = data.get(HASH_SESSION_KEY) or ""
        if not any(
            constant_time_compare(session_hash, known)
            for known in [user.get_session_auth_hash(), *user.get_session_auth_fallback_hash()]
        ):
            continue
        candidates.append(((user_id, key), user, data))
    satisfied = sessions_two_factor_satisfied([(user, data) for _pair, user, data in candidates])
    for (pair, user, _data), ok in zip(candidates, satisfied, strict=True):
        if ok:
            roles[pair] = user.role
    return roles

"""Reads about staff accounts."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from importlib import import_module

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.db import connection
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


# What is read of each user below: the password (its session hash), the role, whether
# active, whether a demo account (exempt from two-factor in a demo). In the model's order of
# fields, as ``Model.from_db`` takes a subset of them.
_USER_FIELDS = tuple(
    field.attname
    for field in User._meta.concrete_fields
    if field.attname in {"password", "role", "is_active", "is_demo"}
)


def _sessions_and_users(asked: set[tuple[int, str]]) -> dict[tuple[int, str], tuple[dict, User]]:
    """The data of each live (existing, unexpired) session among the asked (user id, session
    key) pairs, with the user asked with it, that user's ``_USER_FIELDS`` only.

    With the database session engine, one statement written here rather than two built by
    the ORM: the message writer asks this for every batch with a console message, and the
    ORM's building of its queries cost more than the database's answering them (decision
    0043). Only our own table and column names are formatted in; every value is a parameter.
    """
    store = import_module(settings.SESSION_ENGINE).SessionStore
    if not hasattr(store, "get_model_class"):  # sessions not in the database: one by one
        users = User.objects.only(*_USER_FIELDS).in_bulk({user_id for user_id, _key in asked})
        found = {}
        for user_id, key in asked:
            data = store(key).load()
            if data and user_id in users:
                found[user_id, key] = (data, users[user_id])
        return found
    session, user = store.get_model_class()._meta, User._meta
    quote = connection.ops.quote_name
    columns = [user.get_field(name).column for name in _USER_FIELDS]
    sql = (  # noqa: S608
        "WITH asked (user_id, session_key) AS (VALUES {pairs}) "
        "SELECT asked.user_id, s.{key}, s.{data}, {user_columns} FROM asked "
        "JOIN {sessions} s ON s.{key} = asked.session_key "
        "JOIN {users} u ON u.{user_id} = asked.user_id "
        "WHERE s.{expires} > %s"
    ).format(
        pairs=", ".join(["(%s, %s)"] * len(asked)),
        key=quote(session.get_field("session_key").column),
        data=quote(session.get_field("session_data").column),
        user_columns=", ".join(f"u.{quote(column)}" for column in columns),
        sessions=quote(session.db_table),
        users=quote(user.db_table),
        user_id=quote(user.pk.column),
        expires=quote(session.get_field("expire_date").column),
    )
    # Each row is named by the pair as asked (a user id may have been given as text).
    by_value = {(int(user_id), key): (user_id, key) for user_id, key in asked}
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(sql, [value for pair in sorted(by_value) for value in pair] + [now])
        rows = cursor.fetchall()
    decoder = store()
    loaded = [user.pk.attname, *_USER_FIELDS]
    return {
        by_value[user_id, key]: (
            decoder.decode(data),
            User.from_db(connection.alias, loaded, [user_id, *values]),
        )
        for user_id, key, data, *values in rows
    }


def staff_socket_roles(
    pairs: Iterable[tuple[int | None, str | None]],
) -> dict[tuple[int | None, str | None], str | None]:
    """``staff_socket_role`` of several (user id, session key) pairs, with a fixed number
    of queries however many (the message writer checks a batch's senders at once)."""
    pairs = set(pairs)
    roles: dict[tuple[int | None, str | None], str | None] = dict.fromkeys(pairs)
    asked = {(user_id, key) for user_id, key in pairs if user_id and key}
    found = _sessions_and_users(asked) if asked else {}
    candidates = []
    for (user_id, key), (data, user) in found.items():
        if str(data.get(SESSION_KEY)) != str(user_id) or data.get(BACKEND_SESSION_KEY) is None:
            continue
        if not user_has_permission(user, "console.use"):
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

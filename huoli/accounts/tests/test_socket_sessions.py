"""The rights behind a console socket, read from its session (``staff_socket_roles``): what
the session says must never outlive a change of its data or of the key that signed it."""

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.test import override_settings
from django_otp import DEVICE_ID_SESSION_KEY

from huoli.accounts.selectors import staff_socket_roles
from huoli.accounts.tests.factories import StaffFactory, device_confirmed, signed_in_session
from huoli.core.roles import Role

pytestmark = pytest.mark.django_db


def role(user, key):
    return staff_socket_roles([(user.pk, key)])[(user.pk, key)]


def test_a_session_signed_with_a_key_taken_out_of_use_is_refused_though_read_before(settings):
    """The key is rotated: the new one signs, the old one stays a fallback for a while, then
    goes. A session signed with the old key must stop working then, even though its data was
    decoded while the old key was still valid."""
    new_key = "the new secret key of the site, long enough to be one " * 2
    user = StaffFactory(role=Role.COUNSELLOR)
    with override_settings(SECRET_KEY=new_key):
        new_hash = user.get_session_auth_hash()
    # Signed with the current key, and carrying the password hash of the new one (so only the
    # signature tells the two keys apart): valid while the new key is a fallback.
    settings.SECRET_KEY_FALLBACKS = [new_key]
    key = signed_in_session(user, device_confirmed(user), auth_hash=new_hash)
    assert role(user, key) == Role.COUNSELLOR  # read once (a cache would keep it)
    settings.SECRET_KEY = new_key
    settings.SECRET_KEY_FALLBACKS = []
    assert role(user, key) is None


def test_a_session_whose_data_changed_is_read_again(no_demo_mode):
    user = StaffFactory(role=Role.COUNSELLOR)
    key = signed_in_session(user, device_confirmed(user))
    assert role(user, key) == Role.COUNSELLOR
    # The same session, its two-factor step gone from it (as a new login of the same key).
    session = SessionStore(session_key=key)
    del session[DEVICE_ID_SESSION_KEY]
    session.save()
    assert role(user, key) is None

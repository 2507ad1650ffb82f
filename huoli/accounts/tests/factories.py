import factory
from django_otp.plugins.otp_totp.models import TOTPDevice

from huoli.accounts.services import staff_user_create
from huoli.core.roles import Role

PASSWORD = "correct horse battery"


class StaffFactory(factory.Factory):
    """Creates staff through ``staff_user_create``, so tests follow the real rules."""

    class Meta:
        model = dict

    username = factory.Sequence(lambda n: f"staff{n}")
    password = PASSWORD
    role = Role.COUNSELLOR
    first_name = factory.Faker("first_name")
    is_demo = False
    languages = factory.LazyFunction(lambda: ["fi", "en"])
    max_chats = 2
    takes_calls = False

    @classmethod
    def _create(cls, model_class, **kwargs):
        return staff_user_create(**kwargs)

    @classmethod
    def _build(cls, model_class, **kwargs):
        raise NotImplementedError("staff are always created through the service")


def device_confirmed(user, name: str = "phone"):
    """A confirmed TOTP device, as a finished enrolment leaves one. Made directly, not through
    ``two_factor_device_confirm``: that would spend the current code and write an audit entry
    that tests of logins and of the audit log do not expect."""
    return TOTPDevice.objects.create(user=user, name=name, confirmed=True)


def signed_in_session(user, device=None, auth_hash=None) -> str:
    """The key of a stored session in which ``user`` is logged in, as Django's login leaves
    it: with ``device``'s two-factor step when given, and ``auth_hash`` instead of the
    user's own session hash when given (a hash made under another secret key)."""
    from django.contrib.sessions.backends.db import SessionStore
    from django_otp import DEVICE_ID_SESSION_KEY

    session = SessionStore()
    session["_auth_user_id"] = str(user.pk)
    session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
    session["_auth_user_hash"] = auth_hash or user.get_session_auth_hash()
    if device is not None:
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return session.session_key


def log_in_with_device(client, user, device):
    """A test client as a finished password-and-code login leaves it; returns the client."""
    from django_otp import DEVICE_ID_SESSION_KEY

    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client

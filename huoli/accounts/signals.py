"""Signals that close a staff member's console sockets when their rights change.

Receivers, not the views, so every path is covered: the console's logout, the admin's user
form and its delete action, ``manage.py`` scripts and the shell. Connected in
``AccountsConfig.ready``.
"""

from __future__ import annotations

from django.contrib.auth.signals import user_logged_out
from django.db.models.signals import post_delete, post_init, post_save
from django.dispatch import receiver
from django_otp.plugins.otp_totp.models import TOTPDevice

from huoli.accounts.models import User
from huoli.accounts.services import staff_sockets_close

_RIGHTS = ("role", "is_active")


def _rights(user: User) -> dict:
    # From __dict__: a deferred field must not cost a query here.
    return {name: user.__dict__[name] for name in _RIGHTS if name in user.__dict__}


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs):
    if user is not None and user.pk:
        session = getattr(request, "session", None)
        staff_sockets_close(user_id=user.pk, session_key=getattr(session, "session_key", None))


@receiver(post_init, sender=User)
def _remember_rights(sender, instance, **kwargs):
    instance._rights_loaded = _rights(instance)


@receiver(post_save, sender=User)
def _rights_changed(sender, instance, created, **kwargs):
    loaded = getattr(instance, "_rights_loaded", {})
    now = _rights(instance)
    if not created and any(now.get(name) != value for name, value in loaded.items()):
        staff_sockets_close(user_id=instance.pk)
    instance._rights_loaded = now


@receiver(post_delete, sender=User)
def _user_deleted(sender, instance, **kwargs):
    staff_sockets_close(user_id=instance.pk)


@receiver(post_delete, sender=TOTPDevice)
def _device_deleted(sender, instance, **kwargs):
    if instance.confirmed:
        staff_sockets_close(user_id=instance.user_id)

"""Writes about staff accounts: login attempts and lockout, two-factor enrolment, profiles."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import authenticate
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from huoli.accounts.models import CounsellorProfile, User, spoken_language_codes
from huoli.accounts.selectors import session_fingerprint
from huoli.core.audit import audit_record
from huoli.core.events import (
    StaffProfileUpdated,
    StaffRevoked,
    alerts_group,
    publish_on_commit,
)
from huoli.core.roles import Role


class AccountError(Exception):
    """A domain error with a message that the edge translates and shows."""


class LoginOutcome(enum.Enum):
    OK = "ok"
    INVALID = "invalid"
    LOCKED = "locked"


@dataclass(frozen=True)
class LoginResult:
    outcome: LoginOutcome
    user: User | None = None
    locked_until: datetime | None = None


def _lock_window() -> timedelta:
    return timedelta(minutes=settings.HUOLI_LOCKOUT_MINUTES)


@transaction.atomic
def login_failure_record(*, user: User) -> User:
    """Count one failed password or code; lock the account when the limit is reached."""
    User.objects.filter(pk=user.pk).update(failed_login_count=F("failed_login_count") + 1)
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.failed_login_count >= settings.HUOLI_LOCKOUT_ATTEMPTS:
        user.locked_until = timezone.now() + _lock_window()
        user.failed_login_count = 0
        user.save(update_fields=["locked_until", "failed_login_count"])
        audit_record(
            actor=None,
            action="accounts.locked",
            object_type="user",
            object_id=user.pk,
            data={"minutes": settings.HUOLI_LOCKOUT_MINUTES},
        )
    return user


def login_success_record(*, user: User) -> None:
    if user.failed_login_count or user.locked_until:
        User.objects.filter(pk=user.pk).update(failed_login_count=0, locked_until=None)


def staff_authenticate(*, request, username: str, password: str) -> LoginResult:
    """Check a username and password, honouring and updating the lockout.

    A locked account is refused before its password is even checked, so guessing goes no
    further while the lock lasts. The lock is per account, never per address (promise 1,
    docs/design.md).
    """
    now = timezone.now()
    known = User.objects.filter(username=username).first()
    if known is not None and known.is_locked(now):
        return LoginResult(LoginOutcome.LOCKED, locked_until=known.locked_until)
    user = authenticate(request, username=username, password=password)
    if user is None:
        if known is None:
            return LoginResult(LoginOutcome.INVALID)
        known = login_failure_record(user=known)
        if known.is_locked():
            return LoginResult(LoginOutcome.LOCKED, locked_until=known.locked_until)
        return LoginResult(LoginOutcome.INVALID)
    return LoginResult(LoginOutcome.OK, user=user)


def staff_unlock(*, actor: User, user: User) -> None:
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(failed_login_count=0, locked_until=None)
        audit_record(actor=actor, action="accounts.unlocked", object_type="user", object_id=user.pk)


def login_completed_record(*, user: User, two_factor: bool) -> None:
    with transaction.atomic():
        login_success_record(user=user)
        audit_record(
            actor=user,
            action="accounts.login",
            object_type="user",
            object_id=user.pk,
            data={"two_factor": two_factor},
        )


def two_factor_device_start(*, user: User) -> TOTPDevice:
    """The unconfirmed TOTP device whose QR code the console shows (made once, reused)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
    return device


@transaction.atomic
def two_factor_device_confirm(*, user: User, device: TOTPDevice, token: str) -> bool:
    if device.user_id != user.pk or device.confirmed:
        raise AccountError(_("This enrolment is not yours or is already complete."))
    if not device.verify_token(token.strip().replace(" ", "")):
        login_failure_record(user=user)
        return False
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    audit_record(
        actor=user, action="accounts.two_factor_enrolled", object_type="user", object_id=user.pk
    )
    return True


def two_factor_verify(*, user: User, token: str) -> TOTPDevice | None:
    """Check a login code against the user's confirmed devices; count a failure."""
    token = token.strip().replace(" ", "")
    for device in TOTPDevice.objects.filter(user=user, confirmed=True):
        if device.verify_token(token):
            return device
    login_failure_record(user=user)
    return None


def _clean_languages(languages: list[str]) -> list[str]:
    known = spoken_language_codes()
    unknown = [code for code in languages if code not in known]
    if unknown:
        raise AccountError(_("Unknown language codes: %(codes)s") % {"codes": ", ".join(unknown)})
    return [code for code in known if code in set(languages)]


@transaction.atomic
def counsellor_profile_save(
    *,
    user: User,
    display_name: str,
    languages: list[str],
    max_chats: int,
    takes_calls: bool | None = None,
    notify_sound: bool | None = None,
    notify_volume: int | None = None,
    notify_desktop: bool | None = None,
) -> CounsellorProfile:
    """Save what visitors and the queue know of a counsellor and how the console tells them
    of what needs them (``takes_calls`` and each ``notify_*`` None keeps the saved choice)."""
    display_name = display_name.strip()
    if not display_name:
        raise AccountError(_("A display name is required."))
    if not 1 <= max_chats <= 6:
        raise AccountError(_("Chats at once must be between 1 and 6."))
    defaults = {
        "display_name": display_name,
        "languages": _clean_languages(languages),
        "max_chats": max_chats,
    }
    if notify_volume is not None and not 0 <= notify_volume <= 100:
        raise AccountError(_("The volume must be between 0 and 100."))
    if takes_calls is not None:
        defaults["takes_calls"] = takes_calls
    for name, value in (
        ("notify_sound", notify_sound),
        ("notify_volume", notify_volume),
        ("notify_desktop", notify_desktop),
    ):
        if value is not None:
            defaults[name] = value
    profile, _unused = CounsellorProfile.objects.update_or_create(user=user, defaults=defaults)
    # Every console page of theirs (conversation pages too) hears it.
    publish_on_commit(
        alerts_group(user.pk),
        StaffProfileUpdated(
            display_name=profile.display_name,
            languages=list(profile.languages),
            max_chats=profile.max_chats,
            notify_sound=profile.notify_sound,
            notify_volume=profile.notify_volume,
            notify_desktop=profile.notify_desktop,
        ),
    )
    return profile


@transaction.atomic
def staff_user_create(
    *,
    username: str,
    password: str,
    role: str,
    first_name: str = "",
    is_demo: bool = False,
    display_name: str = "",
    languages: list[str] | None = None,
    max_chats: int = 2,
    takes_calls: bool = False,
) -> User:
    if role not in Role.values:
        raise AccountError(_("Unknown role: %(role)s") % {"role": role})
    user = User(username=username, role=role, first_name=first_name, is_demo=is_demo)
    user.set_password(password)
    user.save()
    if role in (Role.COUNSELLOR, Role.SUPERVISOR):
        counsellor_profile_save(
            user=user,
            display_name=display_name or first_name or username,
            languages=languages or ["fi"],
            max_chats=max_chats,
            takes_calls=takes_calls,
        )
    return user


def staff_sockets_close(*, user_id: int, session_key: str | None = None) -> None:
    """Close a staff member's open console sockets once the current transaction commits:
    those of one session (at logout), or all of them (``session_key`` None: the account was
    deactivated or removed, its role changed, its two-factor device removed).

    Threat answered: a socket authorised at connect keeps hearing and writing after its
    user lost the right (issue 13). The consumer also checks again on its own
    (``accounts.selectors.staff_socket_role``), so a change that sends no event (a bulk
    update, an expired session) is caught at its next frame or periodic check.
    """
    publish_on_commit(
        alerts_group(user_id),
        StaffRevoked(session=session_fingerprint(session_key) if session_key else ""),
    )

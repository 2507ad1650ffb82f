"""Two-factor rules: every staff login needs a TOTP code, except demo accounts in demo mode."""

from __future__ import annotations

import io

from django.conf import settings
from django_otp import DEVICE_ID_SESSION_KEY, user_has_device
from django_otp.models import Device
from django_otp.qr import write_qrcode_image


def is_exempt(user) -> bool:
    return bool(settings.HUOLI_DEMO and getattr(user, "is_demo", False))


def two_factor_satisfied(user) -> bool:
    """True when this request's user has passed two-factor (or is exempt)."""
    if not user.is_authenticated:
        return False
    if is_exempt(user):
        return True
    is_verified = getattr(user, "is_verified", None)
    return bool(is_verified and is_verified())


def needs_enrolment(user) -> bool:
    return not user_has_device(user, confirmed=True)


def session_two_factor_satisfied(user, session) -> bool:
    """The same rule for a websocket, where django-otp's middleware does not run."""
    if not user.is_authenticated:
        return False
    if is_exempt(user):
        return True
    persistent_id = session.get(DEVICE_ID_SESSION_KEY)
    if not persistent_id:
        return False
    device = Device.from_persistent_id(persistent_id, for_verify=False)
    return device is not None and device.user_id == user.pk and device.confirmed


def qr_code_svg(config_url: str) -> str:
    out = io.BytesIO()
    write_qrcode_image(config_url, out)
    return out.getvalue().decode()

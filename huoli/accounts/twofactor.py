"""Two-factor rules: every staff login needs a TOTP code, except demo accounts in demo mode."""

from __future__ import annotations

import io
from contextlib import suppress

from django.apps import apps
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


def sessions_two_factor_satisfied(pairs: list[tuple[object, dict]]) -> list[bool]:
    """The two-factor rule for websockets, where django-otp's middleware does not run: for
    each (user, session data) pair, whether that session passed two-factor with a device
    still confirmed (or the user is exempt). One query per kind of device however many
    pairs (the message writer checks a batch's senders at once)."""
    wanted: dict[int, str] = {}  # pair index -> the session's device persistent id
    for index, (user, session) in enumerate(pairs):
        if user.is_authenticated and not is_exempt(user):
            persistent_id = session.get(DEVICE_ID_SESSION_KEY)
            if isinstance(persistent_id, str) and persistent_id:
                wanted[index] = persistent_id
    by_model: dict[str, set[int]] = {}
    for persistent_id in wanted.values():
        with suppress(ValueError):
            model_label, device_id = persistent_id.rsplit("/", 1)
            by_model.setdefault(model_label, set()).add(int(device_id))
    devices: dict[str, Device] = {}
    for model_label, ids in by_model.items():
        with suppress(ValueError, LookupError):
            model = apps.get_model(*model_label.split("."))
            if issubclass(model, Device):
                devices.update(
                    (f"{model_label}/{device.pk}", device)
                    for device in model.objects.filter(pk__in=ids)
                )
    answers = []
    for index, (user, _session) in enumerate(pairs):
        if not user.is_authenticated:
            answers.append(False)
        elif is_exempt(user):
            answers.append(True)
        else:
            device = devices.get(wanted.get(index, ""))
            answers.append(device is not None and device.user_id == user.pk and device.confirmed)
    return answers


def qr_code_svg(config_url: str) -> str:
    out = io.BytesIO()
    write_qrcode_image(config_url, out)
    return out.getvalue().decode()

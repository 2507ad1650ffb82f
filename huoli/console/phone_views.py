"""The console softphone's settings (issue 15).

A MINIMAL stand-in written with the softphone's browser side so its page can be tried; the
lead's view (token, "takes calls" profile setting, reasons) replaces it. The JSON is the
contract in the brief: enabled, reason, ws_url, user, token, register (plus ``languages``,
the names of the lines' languages for the panel)."""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from huoli.accounts.models import CounsellorProfile
from huoli.console.access import staff_required


@staff_required("counselling.work")
@require_GET
def phone_view(request):
    languages = {code: str(name) for code, name in settings.HUOLI_SPOKEN_LANGUAGES}
    if not settings.HUOLI_TELEPHONY:
        return JsonResponse(
            {"enabled": False, "reason": _("Calls are off."), "register": False, "languages": {}}
        )
    profile = CounsellorProfile.objects.filter(user=request.user).first()
    user = f"staff-{request.user.pk}"
    return JsonResponse(
        {
            "enabled": True,
            "reason": "",
            "ws_url": settings.HUOLI_SIP_WS_URL,
            "user": user,
            "token": signing.dumps({"user": user}, salt="huoli.phone.register"),
            "register": bool(profile and profile.on_duty),
            "languages": languages,
        }
    )

"""The console softphone's questions: its settings, "Answer" and "Hang up" (the audio itself
goes browser - Kamailio - rtpengine; docs/telephone.md)."""

from __future__ import annotations

from django.conf import settings
from django.http import JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from huoli.accounts.models import CounsellorProfile
from huoli.calls.errors import CallError
from huoli.calls.services import (
    call_answer,
    call_decline,
    call_hang_up,
    registration_token_issue,
    sip_user,
)
from huoli.console.access import staff_required
from huoli.contacts.models import ContactRecord
from huoli.conversations.errors import ConversationError


@staff_required("counselling.work")
@require_GET
def phone_config_view(request):
    """Whether the softphone is on, and with what it registers."""
    if not settings.HUOLI_TELEPHONY:
        return JsonResponse(
            {
                "enabled": False,
                "reason": _("Calls are off: this installation has no telephone."),
                "register": False,
                "languages": {},
            }
        )
    profile = CounsellorProfile.objects.filter(user=request.user).first()
    takes_calls = bool(profile and profile.takes_calls)
    if not takes_calls:
        reason = _("You do not take calls. You can change this in your profile.")
    elif not profile.on_duty:
        reason = _("Calls ring here while you are on duty.")
    else:
        reason = ""
    return JsonResponse(
        {
            "enabled": True,
            "reason": reason,
            "ws_url": settings.HUOLI_SIP_WS_URL,
            "user": sip_user(request.user),
            "token": registration_token_issue(user=request.user),
            "register": takes_calls and profile.on_duty,
            # The lines' languages by code, for the panel to name a ringing call's line.
            "languages": {code: str(name) for code, name in settings.HUOLI_SPOKEN_LANGUAGES},
        }
    )


@staff_required("counselling.work")
@require_POST
def call_answer_view(request, conversation_id: int):
    try:
        conversation = call_answer(by=request.user, conversation_id=conversation_id)
    except CallError as error:
        return JsonResponse({"error": str(error), "code": error.code}, status=409)
    record = (
        ContactRecord.objects.filter(conversation=conversation, ended_at__isnull=True)
        .order_by("-started_at")
        .first()
    )
    return JsonResponse(
        {
            "conversation_url": reverse("console:conversation", args=[conversation.pk]),
            "record_url": reverse("console:record", args=[record.pk]) if record else "",
            "language": conversation.language_name,
        }
    )


@staff_required("counselling.work")
@require_POST
def call_decline_view(request, conversation_id: int):
    try:
        call_decline(by=request.user, conversation_id=conversation_id)
    except CallError as error:
        return JsonResponse({"error": str(error)}, status=409)
    return JsonResponse({"ok": True})


@staff_required("counselling.work")
@require_POST
def call_hang_up_view(request, conversation_id: int):
    try:
        call_hang_up(by=request.user, conversation_id=conversation_id)
    except (CallError, ConversationError) as error:
        return JsonResponse({"error": str(error)}, status=409)
    return JsonResponse({"ok": True})

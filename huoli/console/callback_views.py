"""Console views for call-back requests (issue 16): the request's page, where the counsellor
who took it sees the number (each showing in the audit log) and says how the call went."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from huoli.calls import numbers
from huoli.calls.errors import CallError
from huoli.calls.forms import CallbackForm
from huoli.calls.services.callbacks import (
    callback_dial_token_issue,
    callback_number_show,
    callback_outcome,
    callback_request,
)
from huoli.console.access import staff_required
from huoli.conversations import return_codes
from huoli.conversations.selectors import access_conversation
from huoli.core.policy import may_ask_call_back, may_call_back


def callback_page(request, conversation):
    """The page of a call-back request (``chat_views.conversation_view`` hands it here)."""
    callback = conversation.callback
    mine = may_call_back(request.user, conversation)
    number = ""
    if mine and callback.number:
        number = callback_number_show(by=request.user, conversation_id=conversation.pk)
    windows = [
        (dt.datetime.fromisoformat(start), dt.datetime.fromisoformat(end))
        for start, end in callback.windows
    ]
    return render(
        request,
        "console/callback.html",
        {
            "conversation": conversation,
            "callback": callback,
            "windows": windows,
            "mine": mine,
            "number": numbers.shown(number) if number else "",
            "number_dial": number,
            "telephony": settings.HUOLI_TELEPHONY,
        },
    )


@staff_required("counselling.work")
@require_POST
def callback_outcome_view(request, conversation_id: int):
    conversation = access_conversation(request.user, conversation_id, purpose="callback")
    outcome = request.POST.get("outcome", "")
    try:
        record = callback_outcome(by=request.user, conversation_id=conversation.pk, outcome=outcome)
    except CallError as error:
        messages.error(request, str(error))
        return HttpResponseRedirect(reverse("console:conversation", args=[conversation.pk]))
    if record is not None:
        messages.success(request, _("Reached. The number is deleted; complete the record."))
        return HttpResponseRedirect(reverse("console:record", args=[record.pk]))
    conversation.refresh_from_db()
    if conversation.status == conversation.Status.QUEUED:
        messages.success(request, _("No answer. The request waits for its next time."))
    else:
        messages.success(request, _("The request is closed and its number deleted."))
    return HttpResponseRedirect(reverse("console:home"))


@staff_required("counselling.work")
@require_POST
def callback_call_view(request, conversation_id: int):
    """The one-time token the console's softphone dials the family with ("Call")."""
    if not settings.HUOLI_TELEPHONY:
        return JsonResponse(
            {"error": _("Calls are off: this installation has no telephone.")}, status=409
        )
    try:
        token = callback_dial_token_issue(by=request.user, conversation_id=conversation_id)
    except CallError as error:
        return JsonResponse({"error": str(error)}, status=409)
    return JsonResponse({"token": token})


CALLBACK_FIELDS = {"number_invalid": "number", "ask_for_long": "ask_for"}


@staff_required("counselling.work")
@require_http_methods(["GET", "POST"])
def callback_new_view(request, conversation_id: int):
    """Ask for a call-back on the family's behalf, from a chat, a message or a call the
    counsellor answers (during a call this opens in a new tab: the call lives in its page).
    The return code is shown once, to be given to the family."""
    conversation = access_conversation(request.user, conversation_id)
    if not may_ask_call_back(request.user, conversation):
        raise PermissionDenied
    form = CallbackForm(
        request.POST or None,
        initial={
            "language": conversation.language,
            "interpreter": conversation.interpreter_needed,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            access = callback_request(
                **form.request_fields(), by=request.user, during=conversation.pk
            )
        except CallError as error:
            form.add_error(CALLBACK_FIELDS.get(error.code, "time_1"), str(error))
        else:
            return render(
                request,
                "console/callback_created.html",
                {
                    "conversation": conversation,
                    "request_conversation": access.conversation,
                    "return_code": return_codes.grouped(access.return_code),
                },
            )
    return render(
        request,
        "console/callback_new.html",
        {"conversation": conversation, "form": form},
        status=400 if form.errors else 200,
    )

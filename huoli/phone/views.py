"""What Kamailio asks Huoli over HTTP (its ``http_client`` module, decision 0033).

Four questions, each a form-encoded POST from Kamailio on loopback carrying the shared
secret in ``X-Huoli-Telephony``: where a call goes (``route``), where a
counsellor's call-back goes (``dial``), what happened to a call (``event``) and whether a
softphone may register (``register``). The answers are one line of
plain text Kamailio's script splits on spaces. The caller's number arrives once, in
``route``, and is only hashed (decision 0035); nothing here logs a request.
"""

from __future__ import annotations

import contextlib
import hmac
from functools import wraps
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError
from django.http import FileResponse, Http404, HttpResponse
from django.views.decorators.cache import cache_control
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST, require_safe

from huoli import keys
from huoli.calls.errors import CallError
from huoli.calls.selectors import desk_phone_ha1
from huoli.calls.services import (
    RouteAnswer,
    call_event,
    call_route,
    registration_allowed,
    registration_note,
)
from huoli.calls.services.callbacks import callback_dial
from huoli.outreach.services import campaign_count
from huoli.phone.stack import LINES

MEDIA_DIR = Path(__file__).resolve().parent / "media"
ANNOUNCEMENT_FALLBACK = "en"
# The messages a web caller's page plays itself (a caller on the telephone network hears
# them from rtpengine): while it waits in the queue, and when it has waited too long.
PAGE_SOUNDS = ("queue", "later")


def announcement_path(line: str, name: str) -> str:
    """The recorded message ``name`` (queue, later, closed) in the line's language, or in
    English where the line has none."""
    for language in (line, ANNOUNCEMENT_FALLBACK):
        path = MEDIA_DIR / language / f"{name}.wav"
        if path.exists():
            return str(path)
    return "-"


def answer_text(answer: RouteAnswer, line: str) -> str:
    if answer.action == "ring":
        return " ".join(["ring", str(answer.conversation_id), *answer.users])
    if answer.action == "queue":
        return " ".join(
            [
                "queue",
                str(answer.conversation_id),
                announcement_path(line, answer.announcement),
                str(settings.HUOLI_CALL_POLL_SECONDS),
            ]
        )
    media = announcement_path(line, answer.announcement) if answer.announcement else "-"
    return f"reject {answer.code} {media}"


def _text(body: str, status: int = 200) -> HttpResponse:
    return HttpResponse(body + "\n", status=status, content_type="text/plain; charset=utf-8")


def from_kamailio(view):
    """Only while the telephone is on, only with the shared secret (compared in constant
    time); no session, no CSRF token (Kamailio has neither)."""

    @csrf_exempt
    @require_POST
    @wraps(view)
    def wrapped(request):
        if not settings.HUOLI_TELEPHONY:
            raise Http404
        given = request.headers.get("X-Huoli-Telephony", "")
        if not hmac.compare_digest(given.encode(), keys.read_telephony_secret().encode()):
            return _text("forbidden", status=403)
        return view(request)

    return wrapped


@from_kamailio
def route_view(request):
    line = request.POST.get("line", "")
    answer = call_route(
        call_ref=request.POST.get("call", ""),
        line=line,
        source=request.POST.get("source", ""),
        caller=request.POST.get("caller", ""),
        token=request.POST.get("token", ""),
        final=request.POST.get("final") == "1",
    )
    if answer.campaign:
        # A web call started from a page visited with a campaign code (in its token): one
        # more in the campaign's month, if the code is an active campaign's. Never fails the
        # call.
        with contextlib.suppress(DatabaseError):
            campaign_count(code=answer.campaign)
    return _text(answer_text(answer, line))


@from_kamailio
def dial_view(request):
    """A console's softphone phones a family back (``sip:callback@…`` with the token its
    page got): ``dial <number> <line's number>`` or ``reject <code>``. The number crosses
    here once, to Kamailio on loopback, and is never logged."""
    answer = callback_dial(
        token=request.POST.get("token", ""), sip_user=request.POST.get("user", "")
    )
    if answer.action == "dial":
        return _text(f"dial {answer.number} {answer.caller_id}")
    return _text(f"reject {answer.code}")


@from_kamailio
def event_view(request):
    try:
        call_event(
            call_ref=request.POST.get("call", ""),
            event=request.POST.get("event", ""),
            user=request.POST.get("user", ""),
        )
    except CallError:
        return _text("unknown", status=400)
    return _text("ok")


@from_kamailio
def register_view(request):
    """Three questions about a phone registering as a staff member (``staff-<pk>``):

    - a console softphone (over WebSocket) shows its token: "ok" or 403;
    - a desk phone (``digest=1``) answers Kamailio's digest challenge, which Kamailio checks
      against the credential Huoli gives here ("ha1 <hex>") while its counsellor may take
      calls;
    - ``saved=1``: Kamailio saved the registration for ``expires`` seconds (0: it is gone).
      Only this makes the phone count as reachable (calls ring it, "Call us" is offered):
      asking for the credential, which anyone can make Kamailio do, does not."""
    sip_name = request.POST.get("user", "")
    if request.POST.get("saved") == "1":
        try:
            expires = int(request.POST.get("expires") or 0)
        except ValueError:
            expires = 0
        registration_note(sip_name=sip_name, expires=expires)
        return _text("ok")
    if request.POST.get("digest") == "1":
        ha1 = desk_phone_ha1(sip_name)
        if not ha1:
            return _text("no", status=403)
        return _text(f"ha1 {ha1}")
    if not registration_allowed(sip_name=sip_name, token=request.POST.get("token", "")):
        return _text("no", status=403)
    return _text("ok")


@require_safe
@cache_control(public=True, max_age=86400)
def sound_view(request, line: str, name: str):
    """A recorded message for the "Call us" page (public, no secret): the page plays the
    line's queue message while its call waits, as rtpengine plays it to a telephone caller."""
    if not settings.HUOLI_TELEPHONY or line not in LINES or name not in PAGE_SOUNDS:
        raise Http404
    path = announcement_path(line, name)
    if path == "-":
        raise Http404
    return FileResponse(open(path, "rb"), content_type="audio/wav")

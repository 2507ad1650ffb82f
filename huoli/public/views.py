"""Visitor-facing pages. No cookie before a conversation starts (promise 1, docs/design.md); every
text is translatable; every failure gets a clear answer in the visitor's language (promise 7)."""

from __future__ import annotations

import datetime as dt
import math
import secrets

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, OperationalError
from django.http import Http404, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from huoli.calls.errors import CallError
from huoli.calls.forms import day_label
from huoli.calls.selectors import call_takers_reachable
from huoli.calls.services import web_call_token_issue
from huoli.calls.services.callbacks import callback_cancel, callback_request
from huoli.conversations import return_codes
from huoli.conversations.errors import ConversationError, StartRefused
from huoli.conversations.flood import Gate, challenge_issue, gate_check
from huoli.conversations.models import MAX_MESSAGE_CHARS, Conversation, spoken_language_name
from huoli.conversations.selectors import (
    anyone_speaks,
    before_param,
    chat_availability,
    chat_offer_due,
    messages_before,
    speakers_on_duty,
)
from huoli.conversations.services.feedback import feedback_ask, feedback_record
from huoli.conversations.services.messages import message_post
from huoli.conversations.services.queue import conversation_end, conversation_to_message
from huoli.conversations.services.start import (
    StartWork,
    call_closed_refusal,
    chat_closed_refusal,
    conversation_resume,
    conversation_start,
)
from huoli.conversations.throttle import (
    return_code_attempt,
    return_code_check_slot,
    return_code_site_busy,
    return_code_work,
)
from huoli.core.robots import indexable, not_indexable
from huoli.directory.forms import ServiceSearchForm
from huoli.directory.selectors import municipalities, service_search
from huoli.helpline.info import page_for, page_languages_of, render_body
from huoli.helpline.models import QUICK_EXIT_DEFAULT, FloodSwitch, QuickExit, WaitingLimit
from huoli.helpline.selectors import weekly_schedule
from huoli.outreach.selectors import badge_svg
from huoli.public.campaign import campaign_code, count_start
from huoli.public.forms import (
    CallbackForm,
    FeedbackForm,
    MessageForm,
    NewMessageForm,
    ReturnForm,
    StartChatForm,
)
from huoli.public.seo import page_languages
from huoli.public.visitor import (
    clear_visitor_cookie,
    conversation_from_request,
    same_origin_post,
    set_visitor_cookie,
    visitor_token,
)
from huoli.retention.models import RetentionPolicy

SHOW_CODE_SECONDS = 15 * 60


def _full_text():
    return _("Many people are contacting us right now. Please try again in a moment.")


def _not_saved_text():
    return _(
        "We could not save your message just now. It is still here: send it again in a moment."
    )


def _posted(request):
    return request.POST if request.method == "POST" else None


def _default_language() -> str:
    codes = [code for code, _name in settings.HUOLI_SPOKEN_LANGUAGES]
    language = (get_language() or "fi").split("-")[0]
    return language if language in codes else "fi"


def _posted_work(request) -> dict[str, str]:
    """What a gated form carries: the proof of work, or the waiting-room ticket."""
    return {
        "challenge": request.POST.get("pow_challenge", ""),
        "nonce": request.POST.get("pow_nonce", ""),
        "ticket": request.POST.get("ticket", ""),
    }


def _gate_context(request, gate: Gate | None, *, pow_challenge: str, full_text: str = ""):
    """A gated form's part of the page: the challenge, the wait or "try again"."""
    return {
        "gate": gate,
        "early": bool(request.POST.get("ticket")),
        "full_text": full_text or (_full_text() if gate and gate.full else ""),
        "pow_challenge": pow_challenge,
    }


def _start_work(request) -> StartWork:
    """What a start form brings to the flood gate, which ``conversation_start`` asks."""
    return StartWork(**_posted_work(request), address=_client_address(request))


def _gated(response, gate: Gate):
    """A gated form's answer: 429, and a hint when to come back if no ticket was left."""
    response.status_code = 429
    if gate.full:
        response["Retry-After"] = str(gate.retry_after)
    return response


def _language_choices(language: str) -> dict | None:
    """When nobody on duty speaks ``language``: its name and the choices offered instead,
    a chat in English or Finnish with someone on duty who speaks it, or a written message
    answered with an interpreter's help (``public/_language_choices.html``); else None."""
    if speakers_on_duty(language):
        return None
    return {
        "language": language,
        "language_name": spoken_language_name(language),
        "others": [
            (code, name)
            for code, name in settings.HUOLI_SPOKEN_LANGUAGES
            if code in ("en", "fi") and code != language and speakers_on_duty(code)
        ],
    }


def _home(request, *, chat_form=None, error="", status_code=200):
    availability = chat_availability()
    chat_available = availability.chats_open
    # The chat is open, but perhaps nobody on duty speaks the visitor's language: the home
    # page says so and offers the same choices as pressing "Start chat" would.
    language_choices = _language_choices(_default_language()) if chat_available else None
    switch = FloodSwitch.current()
    context = {
        "status": availability.line,
        "on_duty": availability.on_duty,
        "chat_available": chat_available,
        "calls_available": settings.HUOLI_TELEPHONY
        and availability.calls_open
        and call_takers_reachable(),
        "pow_challenge": challenge_issue(switch.bits) if switch.on and chat_available else "",
        "schedule": weekly_schedule(),
        "chat_form": chat_form or StartChatForm(initial={"language": _default_language()}),
        "error": error,
        "language_choices": language_choices,
    }
    return render(request, "public/home.html", context, status=status_code)


@indexable
@require_safe
def home_view(request):
    return _home(request)


def _enter_conversation(access) -> HttpResponseRedirect:
    response = HttpResponseRedirect(reverse("public:conversation"))
    set_visitor_cookie(response, access.token)
    if access.return_code:
        # Only sealed under the browser's token: the cache never holds the code itself.
        cache.set(
            f"return-code:{return_codes.token_hash(access.token)}",
            return_codes.sealed_for_browser(access.return_code, access.token),
            SHOW_CODE_SECONDS,
        )
    return response


def _call_refusal():
    """Why a web call cannot start now: the line's rule (``call_closed_refusal``), or no
    phone of those on duty who take calls is registered (their consoles are closed)."""
    refusal = call_closed_refusal()
    if refusal is None and not call_takers_reachable():
        refusal = StartRefused(
            "nobody_on_duty",
            _("Calls are not answered right now. You can leave a message instead."),
        )
    return refusal


@require_safe
def call_view(request):
    """The web call page: talk to a counsellor from the browser, no phone number needed."""
    if not settings.HUOLI_TELEPHONY:
        raise Http404
    refusal = _call_refusal()
    return render(
        request,
        "public/call.html",
        {
            "calls_available": refusal is None,
            "refusal": str(refusal) if refusal else "",
            "line": _default_language(),
            "ws_url": settings.HUOLI_SIP_WS_URL,
        },
    )


@require_POST
@same_origin_post
def call_start_view(request):
    """Permission for this browser to call the line once, within two minutes: the call
    itself starts when Kamailio asks where it goes, under the same rules (the line open,
    someone on duty who takes calls)."""
    if not settings.HUOLI_TELEPHONY:
        raise Http404
    refusal = _call_refusal()
    if refusal is not None:
        return JsonResponse({"error": str(refusal)}, status=409)
    if FloodSwitch.current().on:
        # A script could fill the call queue from here without the work a chat needs, so
        # web calls wait while the switch is on; the telephone and the chat stay open.
        return JsonResponse({"error": _full_text()}, status=429)
    spoken = {code for code, _name in settings.HUOLI_SPOKEN_LANGUAGES}
    asked = request.POST.get("language", "")
    line = asked if asked in spoken else _default_language()
    return JsonResponse(
        {
            # The campaign code rides in the signed token and is counted when the call
            # starts (``phone.views.route_view``), not now: the call may never come.
            "token": web_call_token_issue(line=line, campaign=campaign_code(request)),
            "ws_url": settings.HUOLI_SIP_WS_URL,
            "line": line,
        }
    )


@require_POST
@same_origin_post
def chat_start_view(request):
    form = StartChatForm(request.POST)
    if not form.is_valid():
        return _home(request, chat_form=form, status_code=400)
    # The service refuses a chat while the line is closed or nobody is on duty; asked here
    # first too, so a closed chat is said before the language question.
    closed = chat_closed_refusal()
    if closed is not None:
        return _home(request, chat_form=form, error=str(closed), status_code=409)
    language = form.cleaned_data["language"]
    choices = None if request.POST.get("language_confirmed") else _language_choices(language)
    if choices:
        return render(request, "public/chat_language.html", {"form": form, **choices})
    try:
        access = conversation_start(
            kind=Conversation.Kind.CHAT,
            language=form.cleaned_data["language"],
            nickname=form.cleaned_data["nickname"],
            work=_start_work(request),
        )
    except StartRefused as error:
        gate = error.gate
        if gate is None:
            return _home(request, chat_form=form, error=str(error), status_code=409)
        if gate.full:
            return _gated(_home(request, chat_form=form, error=str(error)), gate)
        return render(
            request,
            "public/waiting_room.html",
            {
                "form": form,
                "gate": gate,
                "early": bool(request.POST.get("ticket")),
                "language_confirmed": request.POST.get("language_confirmed", ""),
            },
            status=429,
        )
    except ConversationError as error:
        return _home(request, chat_form=form, error=str(error), status_code=409)
    count_start(request, access.conversation.created_at)
    return _enter_conversation(access)


@require_http_methods(["GET", "HEAD", "POST"])
@same_origin_post
def message_new_view(request):
    spoken = dict(settings.HUOLI_SPOKEN_LANGUAGES)
    asked = request.GET.get("language", "")
    form = NewMessageForm(
        _posted(request),
        initial={
            "language": asked if asked in spoken else _default_language(),
            "client_id": secrets.token_hex(8),
        },
    )
    switch = FloodSwitch.current()
    if request.method == "POST" and form.is_valid():
        language = form.cleaned_data["language"]
        try:
            # New messages are gated like new chats (each one is a slow hash and a queue
            # entry), but may be left while the line is closed.
            access = conversation_start(
                kind=Conversation.Kind.MESSAGE,
                language=language,
                nickname=form.cleaned_data["nickname"],
                first_message=form.cleaned_data["body"],
                interpreter_needed=not anyone_speaks(language),
                work=_start_work(request),
            )
        except StartRefused as error:
            if error.gate is None:
                form.add_error("body", str(error))
            else:
                return _gated(_message_page(request, form, switch, gate=error.gate), error.gate)
        except ConversationError as error:
            form.add_error("body", str(error))
        except OperationalError:
            # The database is away for a moment: nothing was saved; keep the text.
            form.add_error("body", _not_saved_text())
            response = _message_page(request, form, switch)
            response.status_code = 503
            return response
        else:
            count_start(request, access.conversation.created_at)
            return _enter_conversation(access)
    response = _message_page(request, form, switch)
    response.status_code = 400 if form.errors else 200
    return response


def _callback_form(request):
    spoken = dict(settings.HUOLI_SPOKEN_LANGUAGES)
    asked = request.GET.get("language", "")
    return CallbackForm(
        _posted(request),
        initial={"language": asked if asked in spoken else _default_language()},
    )


CALLBACK_FIELDS = {
    "number_invalid": "number",
    "ask_for_long": "ask_for",
    "window_invalid": "time_1",
    "window_missing": "time_1",
    "window_many": "time_1",
}


@require_http_methods(["GET", "HEAD", "POST"])
@same_origin_post
def callback_new_view(request):
    """Ask for a call back (issue 16): works without JavaScript; the times offered are the
    line's opening hours of the coming week. Gated like a new message."""
    form = _callback_form(request)
    switch = FloodSwitch.current()
    if request.method == "POST" and form.is_valid():
        fields = form.request_fields()
        # Nobody speaks their language: an interpreter is needed whether or not they said so.
        fields["interpreter_needed"] |= not anyone_speaks(fields["language"])
        try:
            access = callback_request(**fields, work=_start_work(request))
        except StartRefused as error:
            if error.gate is None:
                form.add_error(None, str(error))
            else:
                return _gated(_callback_page(request, form, switch, gate=error.gate), error.gate)
        except CallError as error:
            form.add_error(CALLBACK_FIELDS.get(error.code), str(error))
        except ConversationError as error:
            form.add_error(None, str(error))
        except OperationalError:
            form.add_error(None, _not_saved_text())
            response = _callback_page(request, form, switch)
            response.status_code = 503
            return response
        else:
            count_start(request, access.conversation.created_at)
            return _enter_conversation(access)
    response = _callback_page(request, form, switch)
    response.status_code = 400 if form.errors else 200
    return response


def _callback_page(request, form, switch: FloodSwitch, *, gate: Gate | None = None):
    return render(
        request,
        "public/callback_new.html",
        {
            "form": form,
            "offered": bool(form.fields["time_1"].choices[1:]),
            "schedule": weekly_schedule(),
            **_gate_context(
                request, gate, pow_challenge=challenge_issue(switch.bits) if switch.on else ""
            ),
        },
    )


@require_POST
@same_origin_post
def callback_cancel_view(request):
    """The family cancels their call-back from the browser that holds it."""
    conversation = conversation_from_request(request)
    if conversation is None or conversation.kind != Conversation.Kind.CALLBACK:
        return render(request, "public/no_conversation.html", status=404)
    try:
        callback_cancel(conversation_id=conversation.pk, visitor_token=visitor_token(request))
    except CallError:
        return render(request, "public/no_conversation.html", status=409)
    return HttpResponseRedirect(reverse("public:conversation"))


def _message_page(request, form, switch: FloodSwitch, *, gate: Gate | None = None):
    return render(
        request,
        "public/message_new.html",
        {
            "form": form,
            **_gate_context(
                request, gate, pow_challenge=challenge_issue(switch.bits) if switch.on else ""
            ),
        },
    )


FEEDBACK_SECONDS = 24 * 3600


def _feedback_keys(token: str) -> tuple[str, str]:
    """The cache keys saying that this browser (its token) was asked the feedback question,
    and that it answered."""
    token_key = return_codes.token_hash(token)
    return f"feedback-asked:{token_key}", f"feedback:{token_key}"


def _feedback_state(token: str | None, conversation) -> tuple[bool, bool]:
    """``(ask, answered)`` for this browser. The question is put once per conversation
    (``feedback_ask``: the first page after the end), and stays on that browser until it
    answers; a return with the code is a new token, never asked again (issue 21)."""
    if not token:
        return False, False
    asked_key, answered_key = _feedback_keys(token)
    if cache.get(answered_key):
        return False, True
    if cache.get(asked_key):
        return True, False
    if feedback_ask(conversation=conversation):
        cache.set(asked_key, True, FEEDBACK_SECONDS)
        return True, False
    return False, False


def _keep_waiting_key(token: str) -> str:
    return f"keep-waiting:{return_codes.token_hash(token)}"


def _offer_in(token: str | None, conversation) -> int | None:
    """Seconds until the page offers to turn the waiting chat into a message (None: never,
    it is no waiting chat); a visitor who chose to keep waiting is asked again a waiting
    limit later."""
    due = chat_offer_due(conversation)
    if due is None or not token:
        return due
    kept_until = cache.get(_keep_waiting_key(token))
    if kept_until is not None:
        due = max(due, math.ceil(kept_until - timezone.now().timestamp()))
    return max(0, due)


def _conversation_page(request, conversation, *, form=None, status_code=200, offer_error=""):
    token = visitor_token(request)
    token_key = return_codes.token_hash(token) if token else ""
    sealed = cache.get(f"return-code:{token_key}") if token_key else None
    code = return_codes.unsealed_for_browser(sealed, token) if sealed else None
    if conversation.kind == Conversation.Kind.CALLBACK:
        return _callback_status_page(request, conversation, code, status_code)
    ended_chat = conversation.status == Conversation.Status.ENDED
    ask_feedback, feedback_given = (
        _feedback_state(token, conversation)
        if ended_chat and conversation.kind == Conversation.Kind.CHAT
        else (False, False)
    )
    messages_list, earlier = messages_before(conversation.pk)
    context = {
        "conversation": conversation,
        "messages_list": messages_list,
        "earlier": earlier,
        "deletion_due": conversation.deletion_due(RetentionPolicy.current().message_days),
        "return_code": return_codes.grouped(code) if code else "",
        "return_code_digits": code or "",
        "form": form or MessageForm(initial={"client_id": secrets.token_hex(8)}),
        "feedback_form": FeedbackForm() if ask_feedback else None,
        "feedback_given": feedback_given,
        "live": conversation.kind == Conversation.Kind.CHAT and not ended_chat,
        "offer_in": _offer_in(token, conversation),
        "offer_error": offer_error,
        "chat_texts": {
            "you": _("You"),
            "counsellor": _("Counsellor"),
            "sending": _("Sending…"),
            "failed": _("Not sent."),
            "retrying": _("Not saved yet. Trying again in a moment…"),
            "waiting": _("Waiting for a counsellor…"),
            "joined": _("You are talking with %(name)s."),
            "reconnecting": _("Connection lost. Reconnecting…"),
            "message": _(
                "We answer your messages here. Come back later with your return code to read "
                "the answer."
            ),
        },
    }
    return render(request, "public/conversation.html", context, status=status_code)


def _callback_status_page(request, conversation, code, status_code):
    """Where the family sees their call-back: the times, whether it is still waiting, how
    it ended, and when the number was deleted; and a button to cancel it."""
    request_row = conversation.callback
    windows = []
    for start, end in request_row.windows:
        start, end = (timezone.localtime(dt.datetime.fromisoformat(t)) for t in (start, end))
        until = "24:00" if (end.hour, end.minute) == (0, 0) else f"{end:%H:%M}"
        label = f"{day_label(start.date())} {start:%H:%M}\u2013{until}"
        windows.append((start, label))
    return render(
        request,
        "public/callback_status.html",
        {
            "conversation": conversation,
            "callback": request_row,
            "windows": windows,
            "return_code": return_codes.grouped(code) if code else "",
            "return_code_digits": code or "",
            "time_zone": settings.TIME_ZONE,
        },
        status=status_code,
    )


@require_safe
def conversation_view(request):
    conversation = conversation_from_request(request)
    if conversation is None:
        return render(request, "public/no_conversation.html", status=404)
    before = before_param(request.GET.get("before"))
    if before is not None and conversation.kind != Conversation.Kind.CALLBACK:
        messages_list, earlier = messages_before(conversation.pk, before)
        return render(
            request,
            "public/conversation_earlier.html",
            {"messages_list": messages_list, "earlier": earlier},
        )
    return _conversation_page(request, conversation)


def _not_sent(request):
    """The browser no longer holds the conversation (a return with the code elsewhere, a
    blocked code): say that the message was not sent, and give its text back."""
    return render(
        request,
        "public/no_conversation.html",
        {"not_sent": True, "unsent_body": request.POST.get("body", "")[:MAX_MESSAGE_CHARS]},
        status=409,
    )


@require_POST
@same_origin_post
def conversation_send_view(request):
    conversation = conversation_from_request(request)
    if conversation is None:
        return _not_sent(request)
    form = MessageForm(request.POST)
    if form.is_valid():
        try:
            message_post(
                conversation=conversation,
                sender="visitor",
                client_id=form.cleaned_data["client_id"],
                body=form.cleaned_data["body"],
                visitor_token=visitor_token(request),
            )
        except ConversationError as error:
            if error.code in ("signed_out", "conversation_closed"):
                return _not_sent(request)
            form.add_error("body", str(error))
        except OperationalError:
            # The database is away for a moment: nothing was saved; keep the text.
            form.add_error("body", _not_saved_text())
            return _conversation_page(request, conversation, form=form, status_code=503)
        else:
            return HttpResponseRedirect(reverse("public:conversation") + "#latest")
    conversation.refresh_from_db()
    return _conversation_page(request, conversation, form=form, status_code=400)


@require_POST
@same_origin_post
def conversation_end_view(request):
    conversation = conversation_from_request(request)
    if conversation is None:
        return render(request, "public/no_conversation.html", status=404)
    if conversation.kind == Conversation.Kind.CALLBACK:
        # A call-back is cancelled on its own page (its number is deleted with it).
        return HttpResponseRedirect(reverse("public:conversation"))
    try:
        conversation_end(
            conversation=conversation, ended_by="visitor", visitor_token=visitor_token(request)
        )
    except ConversationError:
        return render(request, "public/no_conversation.html", status=404)
    return HttpResponseRedirect(reverse("public:conversation"))


@require_POST
@same_origin_post
def conversation_to_message_view(request):
    """The visitor who waited past the limit leaves the chat as a message answered later."""
    conversation = conversation_from_request(request)
    if conversation is None:
        return render(request, "public/no_conversation.html", status=404)
    try:
        conversation_to_message(
            conversation_id=conversation.pk, visitor_token=visitor_token(request)
        )
    except ConversationError as error:
        if error.code == "signed_out":
            return render(request, "public/no_conversation.html", status=404)
        conversation.refresh_from_db()
        if error.code == "not_waiting" and conversation.kind == Conversation.Kind.MESSAGE:
            # A message already (pressed twice, or in a second tab): nothing more to do.
            return HttpResponseRedirect(reverse("public:conversation"))
        return _conversation_page(request, conversation, offer_error=str(error), status_code=409)
    return HttpResponseRedirect(reverse("public:conversation"))


@require_POST
@same_origin_post
def conversation_keep_waiting_view(request):
    """The visitor keeps waiting: the offer is put away for another waiting limit (kept in
    the cache under the browser token's hash, like the feedback question)."""
    token = visitor_token(request)
    conversation = conversation_from_request(request)
    if conversation is None:
        return render(request, "public/no_conversation.html", status=404)
    if chat_offer_due(conversation) is not None:
        seconds = WaitingLimit.current().chat_seconds
        cache.set(_keep_waiting_key(token), timezone.now().timestamp() + seconds, seconds)
    return HttpResponseRedirect(reverse("public:conversation"))


@require_POST
@same_origin_post
def feedback_view(request):
    token = visitor_token(request)
    conversation = conversation_from_request(request)
    if conversation is None:
        return render(request, "public/no_conversation.html", status=404)
    form = FeedbackForm(request.POST)
    asked_key, answered_key = _feedback_keys(token)
    # Counted only from the browser that was asked, once (cache.add: one of two racing posts).
    if form.is_valid() and cache.get(asked_key) and cache.add(answered_key, True, FEEDBACK_SECONDS):
        feedback_record(answer=form.cleaned_data["answer"])
    return HttpResponseRedirect(reverse("public:conversation") + "#feedback")


def _client_address(request) -> str:
    """Read only to key the guessing limit and the waiting-room tickets (hashed with a daily
    key in conversations.throttle.source_key); never stored."""
    return request.META.get("REMOTE_ADDR", "")


@require_http_methods(["GET", "HEAD", "POST"])
@same_origin_post
def return_view(request):
    form = ReturnForm(_posted(request))
    switch = FloodSwitch.current()
    status, gate, full_text, work = 200, None, "", None
    busy = return_code_site_busy()
    if request.method == "POST" and form.is_valid():
        # Each check is an Argon2 hash: only a few at once, before anything is counted.
        with return_code_check_slot() as slot:
            if not slot:
                status, full_text = 503, _full_text()
            else:
                attempt = return_code_attempt(_client_address(request))
                busy = attempt.busy
                if attempt.busy and attempt.allowed:
                    # Many guesses site-wide: nobody is refused, but the code is checked only
                    # after the browser's proof of work or a wait, both growing with the
                    # guessing; an old, weaker challenge no longer does (decision 0022).
                    work = return_code_work(bits=switch.bits, wait_seconds=switch.wait_seconds)
                    gate = gate_check(
                        **_posted_work(request),
                        wait_seconds=work.wait_seconds,
                        address=_client_address(request),
                        # a challenge handed out one step earlier still does
                        min_bits=work.bits - 1,
                    )
                if not attempt.allowed:
                    form.add_error(
                        "code", _("Too many attempts. Please wait ten minutes and try again.")
                    )
                    status = 429
                elif gate is not None and not gate.passed:
                    status = 429
                else:
                    gate = None
                    try:
                        access = conversation_resume(code=form.cleaned_data["code"])
                    except ConversationError as error:
                        form.add_error("code", str(error))
                        status = 400
                    else:
                        return _enter_conversation(access)
    elif form.errors:
        status = 400
    challenge = ""
    if busy:
        work = work or return_code_work(bits=switch.bits, wait_seconds=switch.wait_seconds)
        challenge = challenge_issue(work.bits)
    context = {
        "form": form,
        **_gate_context(request, gate, pow_challenge=challenge, full_text=full_text),
    }
    response = render(request, "public/return.html", context, status=status)
    if status == 503:
        response["Retry-After"] = "5"
    return _gated(response, gate) if gate else response


@require_safe
def exit_view(request):
    """The quick exit: forget the conversation on this device and send the tab on to the
    neutral site the administrators chose (``QuickExit``), with no referrer. The script on
    every public page opens this with ``location.replace``, so the redirect takes the page's
    place in the tab's history; without JavaScript it is a plain link. It works while the
    database is away too (the default destination)."""
    try:
        destination = QuickExit.current().destination
    except DatabaseError:
        destination = QUICK_EXIT_DEFAULT
    response = HttpResponseRedirect(destination)
    response["Referrer-Policy"] = "no-referrer"
    response["Cache-Control"] = "no-store"
    clear_visitor_cookie(response)
    return response


@indexable
@require_safe
def services_view(request):
    """Public services in the visitor's language, with the console's filters: a family can
    find where to turn without contacting anyone. No cookie, nothing stored."""
    form = ServiceSearchForm(request.GET or None, municipalities=municipalities())
    return render(
        request,
        "public/services.html",
        {"form": form, "services": service_search(form.filters(), public_only=True, limit=200)},
    )


@indexable
@require_safe
def info_list_view(request):
    return render(request, "public/info_list.html")


@indexable
@require_safe
def info_view(request, slug: str):
    choice = page_for(slug, get_language())
    if choice is None:
        raise Http404
    if choice.fallback:
        # Another language's text under this language's address: not this language's page.
        not_indexable(request)
    page_languages(request, page_languages_of(slug))
    return render(
        request,
        "public/info.html",
        {
            "page": choice.page,
            "fallback": choice.fallback,
            "body": render_body(choice.page.body),
            # The page about anonymity also says what the quick exit cannot hide.
            "quick_exit_note": choice.page.slug == "safety",
        },
    )


# A week: the badge changes only with its translations.
BADGE_MAX_AGE = 7 * 24 * 3600


@require_safe
def badge_view(request, language: str):
    """The partner badge's image (an SVG) in a visitor language, for partners' websites to
    show (issue 19). The same for everyone: no cookie, cached a week, and other sites may
    load it (``Cross-Origin-Resource-Policy: cross-origin``)."""
    try:
        svg = badge_svg(language)
    except KeyError:
        raise Http404 from None
    response = HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")
    patch_cache_control(response, public=True, max_age=BADGE_MAX_AGE)
    response["Cross-Origin-Resource-Policy"] = "cross-origin"
    response["Content-Language"] = language  # the badge's, not the browser's
    return response

"""Staff console views: parse, check access, call one service, render."""

from __future__ import annotations

import base64
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.core.paginator import Paginator
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login

from huoli.accounts.models import CounsellorProfile, User
from huoli.accounts.services import (
    AccountError,
    LoginOutcome,
    counsellor_profile_save,
    login_completed_record,
    staff_authenticate,
    two_factor_device_confirm,
    two_factor_device_start,
    two_factor_verify,
)
from huoli.accounts.twofactor import is_exempt, needs_enrolment, qr_code_svg, two_factor_satisfied
from huoli.calls.errors import CallError
from huoli.calls.selectors import DESK_PHONE_REALM, sip_user
from huoli.calls.services import desk_phone_password_make
from huoli.cases.selectors import my_follow_ups
from huoli.console.access import redirect_with_next, safe_next, staff_required
from huoli.console.chat_views import work_context
from huoli.console.forms import CounsellorProfileForm, LoginForm, TokenForm
from huoli.console.review_views import feedback_context
from huoli.contacts.selectors import records_to_complete
from huoli.core.policy import user_has_permission
from huoli.core.selectors import access_audit_entry, audit_entries_for
from huoli.directory.selectors import services_to_verify
from huoli.escalations.selectors import open_escalations_for
from huoli.helpline.models import FloodSwitch
from huoli.helpline.services import flood_switch_set
from huoli.supervision.selectors.debriefs import debriefs_open
from huoli.supervision.selectors.handover import handover_unread
from huoli.supervision.selectors.reviews import feedback_unacknowledged_count

PENDING_LOGIN_KEY = "huoli_pending_login"
PENDING_LOGIN_SECONDS = 300


def _posted(request):
    """Form data for a POST (even an empty one, which must show "required" errors)."""
    return request.POST if request.method == "POST" else None


def _locked_message(locked_until) -> str:
    local = timezone.localtime(locked_until)
    return _(
        "Too many failed attempts: this account is locked until %(time)s. "
        "Try again then, or ask an administrator to unlock it."
    ) % {"time": formats.time_format(local, "TIME_FORMAT")}


@sensitive_post_parameters("password")
@require_http_methods(["GET", "POST"])
def login_view(request):
    if request.user.is_authenticated and two_factor_satisfied(request.user):
        return HttpResponseRedirect(safe_next(request))
    form = LoginForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        result = staff_authenticate(
            request=request,
            username=form.cleaned_data["username"],
            password=form.cleaned_data["password"],
        )
        if result.outcome is LoginOutcome.LOCKED:
            form.add_error(None, _locked_message(result.locked_until))
        elif result.outcome is LoginOutcome.INVALID:
            form.add_error(None, _("The username or password is not correct."))
        else:
            return _after_password(request, result.user)
    return render(request, "console/login.html", {"form": form, "next": safe_next(request)})


def _after_password(request, user: User):
    target = safe_next(request)
    if is_exempt(user):
        auth_login(request, user)
        login_completed_record(user=user, two_factor=False)
        return HttpResponseRedirect(target)
    if needs_enrolment(user):
        auth_login(request, user)
        return redirect_with_next("console:two_factor_setup", target)
    request.session[PENDING_LOGIN_KEY] = {
        "user_id": user.pk,
        "backend": user.backend,
        "at": time.time(),
    }
    return redirect_with_next("console:login_verify", target)


@sensitive_post_parameters("token")
@require_http_methods(["GET", "POST"])
def login_verify_view(request):
    pending = request.session.get(PENDING_LOGIN_KEY)
    if not pending or time.time() - pending["at"] > PENDING_LOGIN_SECONDS:
        request.session.pop(PENDING_LOGIN_KEY, None)
        messages.info(request, _("Please log in again."))
        return redirect_with_next("console:login", safe_next(request))
    user = User.objects.filter(pk=pending["user_id"], is_active=True).first()
    if user is None:
        request.session.pop(PENDING_LOGIN_KEY, None)
        return redirect_with_next("console:login", safe_next(request))
    form = TokenForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        if user.is_locked():
            request.session.pop(PENDING_LOGIN_KEY, None)
            form.add_error(None, _locked_message(user.locked_until))
        else:
            device = two_factor_verify(user=user, token=form.cleaned_data["token"])
            if device is not None:
                request.session.pop(PENDING_LOGIN_KEY, None)
                auth_login(request, user, backend=pending["backend"])
                otp_login(request, device)
                login_completed_record(user=user, two_factor=True)
                return HttpResponseRedirect(safe_next(request))
            user.refresh_from_db()
            if user.is_locked():
                request.session.pop(PENDING_LOGIN_KEY, None)
                form.add_error(None, _locked_message(user.locked_until))
            else:
                form.add_error(
                    "token", _("That code is not correct. Check the time on your phone.")
                )
    return render(request, "console/login_verify.html", {"form": form, "next": safe_next(request)})


@sensitive_post_parameters("token")
@require_http_methods(["GET", "POST"])
def two_factor_setup_view(request):
    user = request.user
    if not user.is_authenticated:
        return redirect_with_next("console:login", request.get_full_path())
    if not needs_enrolment(user):
        if not two_factor_satisfied(user):
            return redirect_with_next("console:login", request.get_full_path())
        return render(request, "console/two_factor_done.html", {})
    device = two_factor_device_start(user=user)
    form = TokenForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            confirmed = two_factor_device_confirm(
                user=user, device=device, token=form.cleaned_data["token"]
            )
        except AccountError as error:
            form.add_error(None, str(error))
            confirmed = False
        if confirmed:
            otp_login(request, device)
            login_completed_record(user=user, two_factor=True)
            messages.success(request, _("Two-factor login is on. Keep your phone safe."))
            return HttpResponseRedirect(safe_next(request))
        user.refresh_from_db()
        if user.is_locked():
            auth_logout(request)
            messages.error(request, _locked_message(user.locked_until))
            return HttpResponseRedirect(reverse("console:login"))
        if not form.errors:
            form.add_error("token", _("That code is not correct. Check the time on your phone."))
    context = {
        "hide_nav": True,
        "form": form,
        "next": safe_next(request),
        "qr_svg_data": base64.b64encode(qr_code_svg(device.config_url).encode()).decode(),
        "secret": base64.b32encode(device.bin_key).decode().rstrip("="),
    }
    return render(request, "console/two_factor_setup.html", context)


@require_POST
def logout_view(request):
    auth_logout(request)
    messages.info(request, _("You have logged out."))
    return HttpResponseRedirect(reverse("console:login"))


@staff_required()
def home_view(request):
    user = request.user
    context = work_context(user)
    if user_has_permission(user, "counselling.work"):
        today = timezone.localdate()
        follow_ups = list(my_follow_ups(user)[:100])
        context.update(
            records_to_complete=records_to_complete(user)[:50],
            # Due today or overdue (overdue first); the next ones apart, as "coming up".
            follow_ups=[f for f in follow_ups if f.due_on <= today],
            coming_up=[f for f in follow_ups if f.due_on > today],
            escalations=open_escalations_for(user),
            today=today,
            handover_unread=list(handover_unread(user)[:20]),
            feedback_waiting=feedback_unacknowledged_count(user),
        )
    if user_has_permission(user, "debriefs.handle"):
        context["debriefs_waiting"] = debriefs_open(user).count()
    if user_has_permission(user, "helpline.flood"):
        context["flood"] = FloodSwitch.current()
    if user_has_permission(user, "admin.site"):
        unverified = services_to_verify()
        context.update(
            services_to_verify=unverified[:10], services_to_verify_count=unverified.count()
        )
    return render(request, "console/home.html", context)


@staff_required("helpline.flood")
@require_POST
def flood_view(request):
    on = request.POST.get("on") == "1"
    flood_switch_set(by=request.user, on=on)
    messages.success(
        request,
        _("Flood protection is on: new chats need a short check or wait.")
        if on
        else _("Flood protection is off."),
    )
    return HttpResponseRedirect(reverse("console:home"))


@staff_required()
@require_http_methods(["GET", "POST"])
def profile_view(request):
    user = request.user
    can_counsel = user_has_permission(user, "counselling.work")
    profile = CounsellorProfile.objects.filter(user=user).first()
    form = None
    if can_counsel:
        form = CounsellorProfileForm(_posted(request), initial=_profile_initial(user, profile))
        if request.method == "POST" and form.is_valid():
            try:
                counsellor_profile_save(user=user, **form.cleaned_data)
            except AccountError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("Your profile is saved."))
                return HttpResponseRedirect(reverse("console:profile"))
    return _profile_page(request, form, profile)


def _profile_initial(user, profile) -> dict:
    if profile is None:
        return {
            "display_name": user.first_name,
            "languages": ["fi"],
            "max_chats": 2,
            "notify_sound": True,
            "notify_volume": 60,
        }
    return {
        "display_name": profile.display_name,
        "languages": profile.languages,
        "max_chats": profile.max_chats,
        "takes_calls": profile.takes_calls,
        "notify_sound": profile.notify_sound,
        "notify_volume": profile.notify_volume,
        "notify_desktop": profile.notify_desktop,
    }


def _profile_page(request, form, profile, *, desk_phone_password: str = ""):
    user = request.user
    desk_phone = None
    if settings.HUOLI_TELEPHONY and profile is not None and form is not None:
        desk_phone = {
            "user": sip_user(user),
            "server": settings.HUOLI_SIP_SERVER,
            "realm": DESK_PHONE_REALM,
            "set_at": profile.desk_phone_set_at,
            "password": desk_phone_password,
        }
    return render(
        request,
        "console/profile.html",
        {
            "form": form,
            "profile": profile,
            "two_factor_exempt": is_exempt(user),
            "desk_phone": desk_phone,
            "feedback": feedback_context(user),
        },
    )


@staff_required("counselling.work")
@require_POST
@never_cache
def desk_phone_view(request):
    """ "Make a new desk phone password": shown once, in this answer only (never kept, never
    in a redirect or the session)."""
    if not settings.HUOLI_TELEPHONY:
        return HttpResponseRedirect(reverse("console:profile"))
    try:
        password = desk_phone_password_make(user=request.user)
    except CallError as error:
        messages.error(request, str(error))
        return HttpResponseRedirect(reverse("console:profile"))
    profile = CounsellorProfile.objects.get(user=request.user)
    form = CounsellorProfileForm(initial=_profile_initial(request.user, profile))
    return _profile_page(request, form, profile, desk_phone_password=password)


@staff_required("audit.view")
def audit_list_view(request):
    page = Paginator(audit_entries_for(request.user), 50).get_page(request.GET.get("page"))
    return render(request, "console/audit_list.html", {"page": page})


@staff_required("audit.view")
def audit_detail_view(request, seq: int):
    entry = access_audit_entry(request.user, seq)
    return render(request, "console/audit_detail.html", {"entry": entry})

"""The gate every console view passes: logged in, two-factor done, role allowed."""

from __future__ import annotations

from functools import wraps
from urllib.parse import urlencode

from django.contrib.auth import logout
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from huoli.accounts.twofactor import needs_enrolment, two_factor_satisfied
from huoli.core.policy import user_has_permission


def safe_next(request, default: str | None = None) -> str:
    """A ``next`` target inside the console, or the console home."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target.startswith("/console/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default or reverse("console:home")


def redirect_with_next(url_name: str, next_path: str) -> HttpResponseRedirect:
    return HttpResponseRedirect(f"{reverse(url_name)}?{urlencode({'next': next_path})}")


def staff_required(permission: str = "console.use"):
    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            user = request.user
            if not user.is_authenticated:
                return redirect_with_next("console:login", request.get_full_path())
            if not two_factor_satisfied(user):
                if needs_enrolment(user):
                    return redirect_with_next("console:two_factor_setup", request.get_full_path())
                logout(request)
                return redirect_with_next("console:login", request.get_full_path())
            if not user_has_permission(user, permission):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator

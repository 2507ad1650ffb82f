"""Error pages: a clear, translated message in the right half of the site, never a stack trace."""

from django.shortcuts import render
from django.utils.translation import gettext as _


def _render(request, status: int, title: str, message: str):
    staff_side = request.path.startswith("/console/")
    template = "console/error.html" if staff_side else "public/error.html"
    return render(request, template, {"title": title, "message": message}, status=status)


def permission_denied(request, exception=None):
    return _render(
        request, 403, _("Not allowed"), _("Your role does not give access to this page.")
    )


def page_not_found(request, exception=None):
    return _render(
        request, 404, _("Page not found"), _("There is nothing here. Check the address.")
    )


def server_error(request):
    return _render(
        request,
        500,
        _("Something went wrong"),
        _("Please try again in a moment. If it keeps happening, tell the administrator."),
    )


def database_unavailable(request):
    response = _render(
        request,
        503,
        _("Please try again in a moment"),
        _(
            "We could not reach our records just now, so what you sent was not saved. Go back "
            "with your browser's Back button (your text is still there) and send it again in "
            "a moment."
        ),
    )
    response["Retry-After"] = "5"
    return response

from django.conf import settings

from huoli.core.policy import PERMISSIONS, user_has_permission


def permissions(request):
    """``can.<permission with _ for .>`` for console templates, e.g. ``can.audit_view``."""
    if not request.path.startswith("/console/"):
        return {}
    user = getattr(request, "user", None)
    return {
        "can": {name.replace(".", "_"): user_has_permission(user, name) for name in PERMISSIONS},
        "staff_languages": settings.HUOLI_STAFF_LANGUAGES,
    }

"""URL wiring only. Public and console live in separate trees (docs/design.md)."""

from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path

from huoli.console.urls import admin_urlpatterns
from huoli.core.health import health
from huoli.phone.urls import sound_urlpatterns
from huoli.public.seo import robots_txt, sitemap_xml
from huoli.public.urls import badge_urlpatterns

urlpatterns = [
    # For monitoring and deploy/upgrade: reads only, no personal data (huoli/core/health.py).
    path("healthz", health, name="health"),
    # For search engines, at the root as they look for them (huoli/public/seo.py).
    path("robots.txt", robots_txt, name="robots_txt"),
    path("sitemap.xml", sitemap_xml, name="sitemap"),
    path("console/", include("huoli.console.urls")),
    path("console/", include(admin_urlpatterns)),
    # Kamailio's questions about calls (loopback, shared secret; docs/telephone.md).
    path("telephony/", include("huoli.phone.urls")),
    # The recorded messages the public "Call us" page plays while a call waits.
    path("sounds/", include((sound_urlpatterns, "sounds"))),
    # The partner badge's image, in each visitor language (/badge/so.svg).
    *badge_urlpatterns,
    # Public pages carry their language first in the address: /fi/, /ar/ ... (settings.py).
    *i18n_patterns(path("", include("huoli.public.urls"))),
]

handler403 = "huoli.core.error_views.permission_denied"
handler404 = "huoli.core.error_views.page_not_found"
handler500 = "huoli.core.error_views.server_error"
